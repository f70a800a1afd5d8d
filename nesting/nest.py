"""The one entry point that runs a search on a job and returns a validated, measured solution.

Every command that nests goes through :func:`nest`, so no layout can leave the library without
passing the exact validator (:mod:`leathernest.validate`); a violation raises
:class:`~leathernest.errors.SolutionInvalidError`, because it is a bug.
"""

from __future__ import annotations

import dataclasses
import time

import shapely

from leathernest.collision.jit import warmup
from leathernest.config import DEFAULT_CONFIG, NestConfig
from leathernest.errors import InputError, SolutionInvalidError
from leathernest.geometry.shapes import outline_polygon
from leathernest.limits import EFFORT_UNIT, check_limits
from leathernest.model import FREE_ROTATION, Hide, Job, Outline, Piece, Solution, Strip
from leathernest.report.metrics import usable_region, with_metrics
from leathernest.search.baseline import nest_baseline
from leathernest.search.hides import nest_hides
from leathernest.search.stop import Listener, StopToken, no_listener
from leathernest.search.strip import nest_strip
from leathernest.validate import validate

ENGINES = ("auto", "baseline", "strip")
# warm_up's jobs: a work budget that reaches every phase of both searches (a few hundred
# separator moves), and a deadline only as a cap in case compiling hangs.
WARM_UP_EFFORT = 30_000
WARM_UP_CAP_S = 600.0


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
    if job.is_strip and engine in ("auto", "strip"):
        solution = nest_strip(job, stop, listener, seed=job.seed, workers=workers,
                              cfg=config.strip)
    elif engine == "baseline" or job.is_strip:
        solution = nest_baseline(job, config.baseline, stop, listener)
    else:
        solution = nest_hides(job, stop, listener, seed=job.seed, workers=workers,
                              cfg=config.hides)
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


def warm_up() -> float:
    """Compile (or load from the on-disk cache) every Numba kernel the engines use; seconds taken.

    The first run on a machine compiles the kernels (about two minutes on one core); a search must
    not spend its time limit on that, so commands call this before starting the clock. With a warm
    cache it takes about a second. The warm-up jobs stop on a work budget, not on the clock: with a
    deadline, the first run's compiling used it up before the search reached the separator, whose
    kernels were then compiled inside the next run's time limit.
    """
    t0 = time.perf_counter()
    warmup()
    square = Outline.of([[0, 0], [10, 0], [10, 10], [0, 10]])
    pieces = (Piece("a", square, demand=3, rotations=FREE_ROTATION),)
    strip = Job("warm-up", pieces, Strip(15.0), time_limit_s=WARM_UP_CAP_S)
    # One 10 x 10 piece per 15 x 15 hide: the construction opens three hides, the area bound
    # says two, and every attempt to close one runs the separator (and fails), so the hide
    # kernels are all exercised.
    small = Hide("h", Outline.of([[0, 0], [15, 0], [15, 15], [0, 15]]), stock=3)
    hides = Job("warm-up", pieces, (small,), time_limit_s=WARM_UP_CAP_S)
    for job in (strip, hides):
        nest(job, stop=StopToken(WARM_UP_CAP_S, effort=WARM_UP_EFFORT))
    return time.perf_counter() - t0
