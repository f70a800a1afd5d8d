"""The one entry point that runs a search on a job and returns a validated, measured solution.

Every command that nests goes through :func:`nest`, so no layout can leave the library without
passing the exact validator (:mod:`leathernest.validate`); a violation raises
:class:`~leathernest.errors.SolutionInvalidError`, because it is a bug.
"""

from __future__ import annotations

import dataclasses

from leathernest.config import DEFAULT_CONFIG, NestConfig
from leathernest.errors import InputError, SolutionInvalidError
from leathernest.model import Job, Solution, Strip
from leathernest.report import usable_region, with_metrics
from leathernest.search.stop import Listener, StopToken, no_listener
from leathernest.validate import validate

ENGINES = ("auto", "baseline", "strip")


def preflight(job: Job) -> None:
    """Refuse jobs that cannot have any answer: a piece that fits in no container at all."""
    if isinstance(job.stock, Strip):
        if job.stock.height - 2.0 * job.edge_margin <= 0:
            raise InputError(f"job {job.name!r}: the margin leaves no usable strip height")
        return
    largest = max(usable_region(h).area for h in job.hides)
    too_big = [p.name for p in job.pieces if p.area > largest and not p.optional]
    if len(too_big) == len(job.pieces):
        raise InputError(
            f"job {job.name!r}: every piece is larger than every hide's usable area "
            f"(e.g. {too_big[0]})", hint="check the units of the pieces and hides")


def one_margin(job: Job) -> Job:
    """The job with a single margin, as the search engines take it.

    The engines keep one margin from edges, holes and defects alike; the collision engine can keep
    two (``CollisionEngine.for_hide(..., edge_margin_mm=, defect_margin_mm=)``), but the drivers do
    not pass them yet. Until they do, they get the larger margin (the edge margin on a strip, which
    has no defects), so their layouts keep both; every layout is validated against the job as given.
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
    given, job = job, one_margin(job)
    stop = stop or StopToken(job.time_limit_s)
    from leathernest.search.baseline import nest_baseline

    if engine == "strip" and not job.is_strip:
        raise InputError("engine 'strip' needs a strip job", hint="use --engine auto for hides")
    if job.is_strip and engine in ("auto", "strip"):
        from leathernest.search.strip import nest_strip

        solution = nest_strip(job, stop, listener, seed=job.seed, workers=workers)
    elif engine == "baseline" or job.is_strip:
        solution = nest_baseline(job, config.baseline, stop, listener)
    else:
        if workers > 1:
            from leathernest.search.hides_parallel import nest_hides_parallel

            solution = nest_hides_parallel(job, stop, listener, workers)
        else:
            from leathernest.search.hides import nest_hides

            solution = nest_hides(job, stop, listener)
    solution = dataclasses.replace(
        solution, config={**config.as_dict(), "workers": workers, **solution.config}
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

    The first run on a machine compiles the kernels (about 20 s on two cores); a search must not
    spend its time limit on that, so commands call this before starting the clock. With a warm
    cache it takes about a second.
    """
    import time

    from leathernest.collision.jit import warmup
    from leathernest.model import FREE_ROTATION, Hide, Outline, Piece

    t0 = time.perf_counter()
    warmup()
    square = Outline.of([[0, 0], [10, 0], [10, 10], [0, 10]])
    pieces = (Piece("a", square, demand=3, rotations=FREE_ROTATION),)
    strip = Job("warm-up", pieces, Strip(15.0), time_limit_s=1.0)
    hides = Job("warm-up", pieces, (Hide("h", Outline.of([[0, 0], [40, 0], [40, 40], [0, 40]])),),
                time_limit_s=0.5)
    for job in (strip, hides):
        nest(job, stop=StopToken(job.time_limit_s))
    return time.perf_counter() - t0
