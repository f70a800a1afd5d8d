"""What every command shares: options, error handling and exit codes (decided here, once).

A user error is one line on stderr and exit code 2; a layout the validator rejects is a bug and
exits 3 with the traceback; Ctrl-C exits 130 after the command has written what it could.
"""

from __future__ import annotations

import functools
import json
import re
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

EXIT_OK = 0
EXIT_NO = 1  # ran, but the answer is "no": pieces unplaced, or check found violations
EXIT_INPUT = 2  # bad input or usage
EXIT_BUG = 3  # internal error: please report
EXIT_INTERRUPTED = 130


def err(message: str) -> None:
    """Write a line for the user to stderr (stdout carries only results)."""
    click.echo(message, err=True)


def fail_input(message: str) -> None:
    """Print a one-line input error and exit 2."""
    err(f"leathernest: error: {message}")
    sys.exit(EXIT_INPUT)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library exceptions into one-line messages and the documented exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from leathernest.errors import InputError, SolutionInvalidError

        try:
            return func(*args, **kwargs)
        except InputError as exc:
            fail_input(exc.one_line())
        except KeyboardInterrupt:
            err("leathernest: interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except (SolutionInvalidError, Exception) as exc:
            # Not the user's fault: show everything a bug report needs.
            traceback.print_exc()
            err(f"leathernest: internal error: {exc} - this is a bug, please report it")
            sys.exit(EXIT_BUG)

    return wrapper


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``: print exactly one JSON object on stdout instead of the summary line."""
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON object on stdout instead of a summary line.")(func)


def emit_json(obj: dict) -> None:
    """Print the one JSON object of a command."""
    click.echo(json.dumps(obj, indent=None, default=str))


def compile_note(quiet: bool) -> None:
    """Compile the Numba kernels before the clock starts, saying so when it takes a while."""
    from leathernest.nest import warm_up

    seconds = warm_up()
    if seconds > 3.0 and not quiet:
        err(f"compiled the Numba kernels in {seconds:.0f} s (first run on this machine only)")


def new_out_dir(job_name: str, suffix: str) -> Path:
    """A folder named after the job that does not exist yet: ``<job>-<suffix>[-k]``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", job_name).strip("_") or "job"
    out = Path(f"{stem}-{suffix}")
    k = 2
    while out.exists():
        out = Path(f"{stem}-{suffix}-{k}")
        k += 1
    return out


class CtrlC:
    """Ctrl-C for a command that searches.

    Pressed before the search starts, it is remembered; during the search it stops it (the search
    returns its best layout); a second press aborts at once (the previous handler).
    """

    def __init__(self) -> None:
        self.stop: Any = None
        self.early = False

    def __enter__(self) -> CtrlC:
        self.previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def _on_sigint(self, _sig: int, _frame: object) -> None:
        if self.stop is not None:
            self.stop.interrupt()
        else:
            self.early = True
        signal.signal(signal.SIGINT, self.previous)

    def watch(self, stop: Any) -> Any:
        """Route Ctrl-C to this stop token (interrupting it at once if already pressed)."""
        self.stop = stop
        if self.early:
            stop.interrupt()
        return stop

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self.previous)
