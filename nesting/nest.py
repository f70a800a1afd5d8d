"""The one entry point that runs a search on a job and returns a validated, measured solution.

Every command that nests goes through :func:`nest`, so no layout can leave the library without
passing the exact validator (:mod:`leathernest.validate`); a violation raises
:class:`~leathernest.errors.SolutionInvalidError`, because it is a bug.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import shapely

from leathernest.config import DEFAULT_CONFIG, NestConfig
from leathernest.errors import InputError, SolutionInvalidError
from leathernest.geometry.shapes import outline_polygon
from leathernest.limits import EFFORT_UNIT, check_limits
from leathernest.model import Job, Solution, Strip
from leathernest.report.metrics import usable_region, with_metrics
from leathernest.search import warm
from leathernest.search.baseline import nest_baseline
from leathernest.search.parallel import solve
from leathernest.search.stop import Listener, StopToken, no_listener
from leathernest.validate import validate

ENGINES = ("auto", "baseline", "strip")


def stop_token(job: Job, effort: int | None = None, time_s: float | None = None) -> StopToken:
    """The stop token of a run: a time limit, and ``effort`` x 1000 evaluations if given.

    The limit is the job's, or ``time_s``: the part of it the search may use. With an effort
    the search stops on work, so a run repeats exactly; the time limit stays a safety cap
    (``hit_deadline`` tells when it cut the run short).
    """
    return StopToken(job.time_limit_s if time_s is None else time_s,
                     effort=None if effort is None else effort * EFFORT_UNIT)


def preflight(job: Job, path: str | None = None) -> None:
    """Refuse jobs beyond the documented limits and jobs that cannot have any answer.

    No answer: nothing to cut (every demand 0), or every piece fits in no container at all
    (larger than every hide's usable area, or wider than the strip in every rotation). Limits:
    :mod:`leathernest.limits`. ``path`` is the file named in the message.
    """
    try:
        _preflight(job)
    except InputError as exc:
        if path is None or exc.path is not None:
            raise
        raise InputError(exc.message, path=path, location=exc.location, hint=exc.hint) from None


def _preflight(job: Job) -> None:
    check_limits(job)
    # An order with nothing to cut is a mistake, not a job (README "Exit codes"); a job file read
    # only for its hides (a remnant) may well have none, so this is checked here, not on reading.
    if not any(p.n_copies for p in job.pieces):
        raise InputError("nothing to cut: every piece has demand 0",
                         hint="give at least one piece a demand of 1 or more")
    if isinstance(job.stock, Strip):
        usable = job.stock.height - 2.0 * job.edge_margin
        if usable <= 0:
            raise InputError(f"job {job.name!r}: the margin leaves no usable strip height")
        # The narrowest a piece can be turned is the short side of its minimum rotated
        # rectangle; a piece wider than the strip that way fits in no rotation at all.
        widths = [_narrowest(p.outline) for p in job.pieces if not p.optional]
        if widths and min(widths) > usable:
            raise InputError(
                f"job {job.name!r}: every piece is wider than the strip's usable height "
                f"{usable:g} mm in every rotation", hint="check the strip height and the units")
        return
    largest = max(usable_region(h).area for h in job.hides)
    too_big = [p.name for p in job.pieces if p.area > largest and not p.optional]
    if len(too_big) == len(job.pieces):
        raise InputError(
            f"job {job.name!r}: every piece is larger than every hide's usable area "
            f"(e.g. {too_big[0]})", hint="check the units of the pieces and hides")


def _narrowest(outline) -> float:
    """The outline's smallest width over all rotations (mm)."""
    rect = shapely.minimum_rotated_rectangle(outline_polygon(outline))
    (ax, ay), (bx, by), (cx, cy) = list(rect.exterior.coords)[:3]
    return min(((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5, ((cx - bx) ** 2 + (cy - by) ** 2) ** 0.5)


def one_margin(job: Job) -> Job:
    """The job with a single margin, as the shapely baseline takes it.

    The search core keeps the edge and the defect margin apart (the collision engine erodes the
    hide's edge by one and grows holes and zones by the other); the baseline keeps one margin for
    all, so it gets the larger (the edge margin on a strip, which has no defects) and its layouts
    keep both. Every layout is validated against the job as given.
    """
    if job.edge_margin_mm is None and job.defect_margin_mm is None:
        return job
    margin = job.edge_margin if job.is_strip else max(job.edge_margin, job.defect_margin)
    return dataclasses.replace(job, margin_mm=margin, edge_margin_mm=None, defect_margin_mm=None)


def nest(job: Job, engine: str = "auto", config: NestConfig = DEFAULT_CONFIG,
         stop: StopToken | None = None, listener: Listener = no_listener,
         workers: int = 1) -> Solution:
    """Nest the job, validate the layout exactly and fill in its metrics."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", hint=f"choose one of {', '.join(ENGINES)}")
    preflight(job)
    given = job
    if engine == "baseline":
        job = one_margin(job)
    stop = stop or StopToken(job.time_limit_s)
    if engine == "strip" and not job.is_strip:
        raise InputError("engine 'strip' needs a strip job", hint="use --engine auto for hides")
    if engine == "baseline":
        solution = nest_baseline(job, config.baseline, stop, listener)
    else:
        solution = solve(job, stop, listener, job.seed, workers,
                         config.strip if job.is_strip else config.hides)
    effort = None if stop.effort is None else stop.effort // EFFORT_UNIT
    solution = dataclasses.replace(
        solution, config={**config.as_dict(), "workers": workers, "effort": effort,
                          **solution.config}
    )
    return checked(given, solution)


def checked(job: Job, solution: Solution) -> Solution:
    """Validate a solution the engine produced and add its metrics; raise on any violation."""
    violations = validate(job, solution)
    if violations:
        raise SolutionInvalidError(violations)
    return with_metrics(job, solution)


def job_kinds(job: Job) -> tuple[str, ...]:
    """The kinds of kernels a job's search uses (:data:`leathernest.search.warm.KINDS`)."""
    return ("strip",) if job.is_strip else ("hides",)


def warm_up(kinds: tuple[str, ...] = ("strip", "hides"),
            progress: Callable[[int, int], None] | None = None) -> float:
    """Compile (or load from the on-disk cache) the kernels of the kinds of job; seconds taken.

    A search must not spend its time limit compiling, so commands call this before starting the
    clock. On a machine's first run the kernels compile (about 25 s of one core for a hide job,
    measured in ``benchmarks/RESULTS.md``); later runs load them from the on-disk cache.
    ``progress(done, total)`` hears of each part of :mod:`leathernest.search.warm` that had to
    compile (it is not called when everything is in the cache). A strip job compiles no hide
    kernels and the reverse; ``check``, ``import``, the trainer's checks and ``score`` without an
    engine run compile none.

    Compiling in parallel processes was measured and left out: every process compiles the
    collision query that all parts call (7 s), so two processes on two cores finished in 23 s
    against 26 s in one.
    """
    t0 = time.perf_counter()
    names = warm.parts_for(kinds)
    cold = [n for n in names if not warm.cached(n)]
    for name in names:
        warm.run_parts([name])
        if name in cold and progress is not None:
            progress(cold.index(name) + 1, len(cold))
    return time.perf_counter() - t0
