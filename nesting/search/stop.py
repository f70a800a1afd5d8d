"""Stopping and progress, injected into every search so that the search does no I/O of its own.

A :class:`StopToken` combines a deadline with an interrupt flag that the CLI's Ctrl-C handler sets
(the idea of Sparrow's terminator); searches poll :meth:`StopToken.stopped` between bounded steps.
A progress listener is any callable taking a :class:`Progress`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


class StopToken:
    """A deadline and an interrupt flag, checked between steps of a search."""

    def __init__(self, time_limit_s: float, parent: StopToken | None = None) -> None:
        self.start = time.monotonic()
        self.deadline = self.start + time_limit_s
        if parent is not None:
            self.deadline = min(self.deadline, parent.deadline)
        self.parent = parent
        self.interrupted = False

    def sub(self, time_limit_s: float) -> StopToken:
        """A token for a phase: its own shorter deadline, and this token's interrupt."""
        return StopToken(time_limit_s, parent=self)

    def stopped(self) -> bool:
        """Whether the search must return its best layout now."""
        if self.parent is not None and self.parent.interrupted:
            self.interrupted = True
        return self.interrupted or time.monotonic() >= self.deadline

    def interrupt(self) -> None:
        """Ask the search to stop at its next check (Ctrl-C)."""
        self.interrupted = True

    @property
    def elapsed_s(self) -> float:
        """Seconds since the token was made."""
        return time.monotonic() - self.start

    @property
    def remaining_s(self) -> float:
        """Seconds left until the deadline (0 when past it)."""
        return max(self.deadline - time.monotonic(), 0.0)


@dataclass(frozen=True, slots=True)
class Progress:
    """What a search reports when it improves: the figure that matters and how far it got."""

    elapsed_s: float
    placed: int
    demanded: int
    density: float | None = None  # strip jobs
    hides_used: int | None = None  # hide jobs
    utilisation: float | None = None
    phase: str = ""


Listener = Callable[[Progress], None]


def no_listener(_progress: Progress) -> None:
    """A listener that ignores progress."""
