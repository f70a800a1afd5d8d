"""Stopping and progress, injected into every search so that the search does no I/O of its own.

A :class:`StopToken` combines a wall-clock deadline, an optional **work budget** and an interrupt
flag that the CLI's signal handlers set (the idea of Sparrow's terminator); searches poll
:meth:`StopToken.stopped` between bounded steps and :meth:`StopToken.charge` the work they did.

Work is counted in collision-engine evaluations (one sample tested for feasibility or loss is one
unit). With a work budget (``effort``) the search stops on work, never on the clock, so a fixed
job, seed, worker count and effort give one layout on any machine and at any load. The deadline
stays as a safety cap; :attr:`StopToken.hit_deadline` says when it cut a budgeted run short (the
run is then not reproducible, and the caller should say so).

A progress listener is any callable taking a :class:`Progress`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


class StopToken:
    """A deadline, an optional work budget and an interrupt flag, checked between steps.

    Parameters
    ----------
    time_limit_s : wall-clock seconds from now (``math.inf``: no deadline).
    parent : a phase token shares its parent's interrupt, never outlives its deadline, and
        charges its work to the parent as well.
    effort : work units this token may spend (None: unlimited).
    """

    def __init__(self, time_limit_s: float = math.inf, parent: StopToken | None = None,
                 effort: int | None = None) -> None:
        self.start = time.monotonic()
        self.deadline = self.start + time_limit_s
        self.effort = effort
        if parent is not None:
            self.deadline = min(self.deadline, parent.deadline)
            if parent.effort is not None:
                left = parent.work_left
                self.effort = left if effort is None else min(effort, left)
        self.parent = parent
        self.interrupted = False
        self.work = 0
        self.hit_deadline = False

    # -- phases -----------------------------------------------------------------------------------

    def sub(self, time_limit_s: float) -> StopToken:
        """A token for a phase: its own shorter deadline, and this token's interrupt and work."""
        return StopToken(time_limit_s, parent=self)

    def share(self, fraction: float) -> StopToken:
        """A token for a phase given ``fraction`` of what is left.

        Of the work when budgeted, of the time otherwise (the deadline is inherited either way).
        """
        fraction = min(max(fraction, 0.0), 1.0)
        if self.effort is not None:
            return StopToken(math.inf, parent=self, effort=int(self.work_left * fraction))
        return StopToken(self.remaining_s * fraction, parent=self)

    @property
    def budgeted(self) -> bool:
        """Whether this run stops on work (reproducible) rather than on the clock."""
        return self.effort is not None

    # -- work -------------------------------------------------------------------------------------

    def charge(self, units: int) -> None:
        """Count work done (propagates to the parents)."""
        tok: StopToken | None = self
        while tok is not None:
            tok.work += units
            tok = tok.parent

    @property
    def work_left(self) -> int:
        """Work units left (a large number when unbudgeted)."""
        if self.effort is None:
            return 2**62
        return max(self.effort - self.work, 0)

    # -- stopping ---------------------------------------------------------------------------------

    def stopped(self) -> bool:
        """Whether the search must return its best layout now."""
        if self.parent is not None and self.parent.stopped():
            if self.parent.interrupted:
                self.interrupted = True
            return True
        if self.interrupted:
            return True
        if self.effort is not None and self.work >= self.effort:
            return True
        if time.monotonic() >= self.deadline:
            if self.effort is not None:
                self.hit_deadline = True
            return True
        return False

    def interrupt(self) -> None:
        """Ask the search to stop at its next check (Ctrl-C, SIGTERM)."""
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
    work: int = 0  # work units spent so far (see StopToken)


Listener = Callable[[Progress], None]


def no_listener(_progress: Progress) -> None:
    """A listener that ignores progress."""
