"""What every command shares: options, error handling and exit codes (decided here, once).

A user error is one line on stderr and exit code 2, whether the library found it (an
``InputError``) or click did (a usage error, a bad option value); a layout the validator rejects
and every other unexpected exception is a bug and exits 3 with the traceback; Ctrl-C, SIGTERM and
SIGHUP stop a search, which writes its best layout, and exit 130.

The options a user can push to extremes (time, effort, seed, lengths, workers) have bounds here,
the same numbers as README's "Limits".
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from leathernest.model import Job

from leathernest.limits import (
    EFFORT_UNIT,
    MAX_COORD_MM,
    MAX_EFFORT,
    MAX_GAP_MM,
    MAX_SEED,
    MAX_TIME_S,
)

EXIT_OK = 0
EXIT_NO = 1  # ran, but the answer is "no": pieces unplaced, or check found violations
EXIT_INPUT = 2  # bad input or usage
EXIT_BUG = 3  # internal error: please report
EXIT_INTERRUPTED = 130

MAX_CLOSE_GAPS_MM = 100.0


def err(message: str) -> None:
    """Write a line for the user to stderr (stdout carries only results)."""
    click.echo(message, err=True)


def fail_input(message: str) -> None:
    """Print a one-line input error and exit 2."""
    err(f"leathernest: error: {' '.join(message.split())}")
    sys.exit(EXIT_INPUT)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library exceptions into one-line messages and the documented exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from leathernest.cli.entry import signalled
        from leathernest.errors import InputError

        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors: one line from the group (OneLineErrors), exit 2
        except InputError as exc:
            fail_input(exc.one_line())
        except KeyboardInterrupt:
            err("leathernest: interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if signalled():  # a signal broke a native import or call, which failed otherwise
                err("leathernest: interrupted")
                sys.exit(EXIT_INTERRUPTED)
            # Not the user's fault (a SolutionInvalidError included): show what a report needs.
            traceback.print_exc()
            err(f"leathernest: internal error: {exc} - this is a bug, please report it")
            sys.exit(EXIT_BUG)

    return wrapper


class OneLineErrors(click.Group):
    """The command group; click's usage errors become one line on stderr and exit code 2."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the command line (see :meth:`click.Group.main`)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        hear_signals_early()
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            fail_input(f"{exc.format_message()}{where}")
        except click.Abort:
            err("leathernest: interrupted")
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


@contextlib.contextmanager
def writing(option: str, path: str | Path) -> Iterator[None]:
    """Write a file the user named; failing to (no such folder, read-only, disk full) is exit 2.

    It is the user's environment, not our bug, so it is one line, not a traceback.
    """
    from leathernest.errors import InputError

    try:
        yield
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot write it ({exc.strerror or exc})",
                         hint=f"choose another {option}") from None


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``: print exactly one JSON object on stdout instead of the summary line."""
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON object on stdout instead of a summary line.")(func)


def emit_json(obj: dict) -> None:
    """Print the one JSON object of a command."""
    click.echo(json.dumps(obj, indent=None, default=str, allow_nan=False))


# --------------------------------------------------------------------------------------------------
# Bounded option types


class Finite(click.FloatRange):
    """A float in a range that is a number: ``nan`` and ``inf`` are refused like ``abc``."""

    name = "number"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        """Convert and range-check; NaN fails here (click's ranges let it through)."""
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


TIME = Finite(min=0.1, max=MAX_TIME_S)
LENGTH = Finite(min=0.0, max=MAX_GAP_MM)
STRIP = Finite(min=0.0, min_open=True, max=MAX_COORD_MM)
SEED = click.IntRange(min=0, max=MAX_SEED)
EFFORT = click.IntRange(min=1, max=MAX_EFFORT)


def effort_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--effort N``: a work budget instead of the clock, for runs that repeat exactly."""
    return click.option(
        "--effort", type=EFFORT, default=None, metavar="N",
        help=f"Work budget: stop after N x {EFFORT_UNIT:,} collision evaluations instead of at "
             "the time limit, so that the same job, seed, --workers and N give the same layout "
             "on any machine and at any load. --time stays a safety cap.")(func)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1: the search core's count."""
    from leathernest.search.parallel import usable_cores as cores

    return cores()


def capped_workers(workers: int, quiet: bool) -> int:
    """``--workers``, capped at the usable cores (a warning says so)."""
    cores = usable_cores()
    if workers > cores:
        if not quiet:
            err(f"leathernest: warning: --workers {workers} capped at {cores}, the cores this "
                "process may use")
        return cores
    return workers


# The search gets at least this share of the time limit; a job whose reading and writing leave
# it less is refused at the start, saying how much time it needs.
MIN_SEARCH_SHARE = 0.25


def search_budget_s(job: Any, read_s: float) -> float:
    """Seconds the search may take so that the whole run keeps to the job's time limit.

    The time limit covers the run: reading (``read_s``, measured), the search, and validating
    and writing the layout (estimated from the job's size:
    :func:`leathernest.io.outputs.writing_estimate_s`). What does not grow with the job (starting
    Python and loading the compiled kernels, routing the cutter files) is the stated allowance
    on top (README "Limits"). When reading and writing leave the search less than
    :data:`MIN_SEARCH_SHARE` of the limit, the run is refused now (exit 2), with the time needed.
    """
    from leathernest.errors import InputError
    from leathernest.io.outputs import writing_estimate_s

    limit = job.time_limit_s
    writing = writing_estimate_s(job)
    left = limit - read_s - writing
    if left < MIN_SEARCH_SHARE * limit:
        need = math.ceil((read_s + writing) / (1.0 - MIN_SEARCH_SHARE) * 10) / 10
        copies = sum(p.n_copies for p in job.pieces)
        raise InputError(
            f"--time {limit:g} s is too short for job {job.name!r}: reading took {read_s:.1f} s "
            f"and validating and writing its {copies:,} pieces takes about {writing:.1f} s, which "
            f"leaves the search less than a quarter of the time", hint=f"give --time {need:g} "
            "or more")
    return left


def compile_note(quiet: bool, job: Job | None = None) -> float:
    """Compile the Numba kernels the job needs before the clock starts, with a progress bar.

    Returns the seconds it took (outside the time limit: part of the stated allowance). Nothing
    is shown when they load from the on-disk cache (every run after the first).
    """
    from leathernest.nest import job_kinds, warm_up

    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if quiet:
            return
        if done == 1:
            err("preparing the Numba kernels (the first run on a machine compiles them, about "
                "half a minute) ...")
        bar = "#" * (20 * done // total) + "." * (20 - 20 * done // total)
        line = f"  [{bar}] {done}/{total} parts compiled"
        if tty:
            click.echo(f"\r{line}", err=True, nl=done == total)
        else:
            err(line)

    seconds = warm_up(job_kinds(job) if job is not None else ("strip", "hides"), progress)
    if seconds > 3.0 and not quiet:
        err(f"prepared the Numba kernels in {seconds:.0f} s")
    return seconds


def new_out_dir(job_name: str, suffix: str) -> Path:
    """A folder named after the job that does not exist yet: ``<job>-<suffix>[-k]``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", job_name).strip("_.")[:60] or "job"
    out = Path(f"{stem}-{suffix}")
    k = 2
    while out.exists():
        out = Path(f"{stem}-{suffix}-{k}")
        k += 1
    return out


class StopSignals:
    """Ctrl-C, SIGTERM and SIGHUP in every phase of a command that searches: exit 130 always.

    Until :meth:`keep` (reading, checking: nothing to keep yet) a signal ends the command at once.
    From :meth:`keep` on (the output folder is claimed, a layout will be written) the first signal
    stops the search (one that comes before the search starts makes it return its first layout at
    once), the best valid layout is written and the command exits 130. A search that cannot hand
    back a layout within the grace of :meth:`watch` (still preparing) ends the command without
    one, exit 130. A second signal ends the process at once (``os._exit(130)``), writing nothing
    more. Before :meth:`keep` "at once" is a KeyboardInterrupt raised in the main thread, which
    the command turns into exit 130 (:func:`handle_errors`); a native call in progress finishes
    first, which the limits keep short (README "Limits").
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.stop: Any = None
        self.early = False
        self.keeping = False
        self.returned = False
        self.grace_s = 5.0
        self._timer: Any = None
        self.count = 0
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        self._swallowed()
        for sig in self.SIGNALS:
            self.previous[sig] = signal.getsignal(sig)
            signal.signal(sig, self._on_signal)
        return self

    def _on_signal(self, sig: int, _frame: object) -> None:
        from leathernest.cli.entry import heard

        heard()
        self.count += 1
        if self.count > 1:
            # At once: no clean-up that could wait on workers (they end with their parent, the
            # output folder's staging area is removed by the next run).
            err("leathernest: interrupted")
            os._exit(EXIT_INTERRUPTED)
        if not self.keeping:
            raise KeyboardInterrupt
        if self.stop is not None:
            self.stop.interrupt()
            if not self.returned:
                self._start_grace()
        else:
            self.early = True

    def _start_grace(self) -> None:
        """Give the search ``grace_s`` to hand back its layout; then end without one.

        A search still preparing (its items, its engines) has no layout yet and may not look at
        its stop token for a while; the command must still end soon after the signal.
        """
        import threading

        def give_up() -> None:
            if not self.returned:
                err("leathernest: interrupted before the search had a layout to keep; nothing "
                    "was written")
                os._exit(EXIT_INTERRUPTED)

        self._timer = threading.Timer(self.grace_s, give_up)
        self._timer.daemon = True
        self._timer.start()

    def search_returned(self) -> None:
        """The search handed back its layout: from here a first signal lets it be written."""
        self.returned = True
        if self._timer is not None:
            self._timer.cancel()

    def keep(self) -> None:
        """From now on the first signal stops the search and the best layout is written."""
        self._swallowed()
        self.keeping = True

    @staticmethod
    def _swallowed() -> None:
        """End now if a signal came already and the command still runs.

        Its KeyboardInterrupt was raised where Python ignores exceptions (an import lock's
        weakref callback, a ``__del__``; seen once in 20 signals during imports): the command
        must not search and write anyway.
        """
        from leathernest.cli.entry import signalled

        if signalled():
            raise KeyboardInterrupt

    def watch(self, stop: Any, grace_s: float = 5.0) -> Any:
        """Route the signals to this stop token (interrupting it at once if one came already).

        ``grace_s``: how long after a signal the search may take to hand back its layout (and
        have it validated) before the command ends without writing one.
        """
        self.stop = stop
        self.grace_s = grace_s
        if self.early:
            stop.interrupt()
            self._start_grace()
        return stop

    @property
    def interrupted(self) -> bool:
        """Whether a signal came (before or during the search)."""
        return self.early or (self.stop is not None and self.stop.interrupted)

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def hear_signals_early() -> None:
    """SIGTERM and SIGHUP end the command with exit 130, like Ctrl-C (see leathernest.cli.entry).

    For a command run through :func:`leathernest.cli.main.main` without the entry module.
    """
    import threading

    from leathernest.cli.entry import _interrupt

    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _interrupt)
