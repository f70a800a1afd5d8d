"""Several hide nesters at once, one per core; the best layout wins.

A portfolio like :mod:`leathernest.search.parallel` for strips: worker ``i`` runs
:func:`leathernest.search.hides.nest_hides` with seed ``seed + i`` in a forked process (the Python
driver between kernel calls holds the GIL, so processes, not threads). The parent forwards the
workers' improvements to the listener and stops them all when its token is interrupted; each
worker returns its best layout, so Ctrl-C still yields a valid answer. The winner is the layout
with the fewest mandatory pieces missing, then the fewest hides (or least cost), then the most
leather placed, then the least leather used; ties go to the lowest worker index, so a run is
reproducible for a fixed number of workers as far as the time limit allows.

Imports multiprocessing and the hide nester; no numba.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import queue
import time
from typing import Any

from leathernest.model import Job, Objective, Solution
from leathernest.report import hide_cost, usable_region
from leathernest.search.parallel import _SharedStop
from leathernest.search.stop import Listener, Progress, StopToken

POLL_S = 0.05  # how often the parent looks at the workers' queue


def solution_score(job: Job, s: Solution) -> tuple:
    """Smaller is better (the order of the module docstring)."""
    pieces = {p.id: p for p in job.pieces}
    hides = {h.id: h for h in job.hides}
    missing = sum(1 for u in s.unplaced if not pieces[u.piece_id].optional)
    used = [lay for lay in s.layouts if lay.placements]
    placed = sum(pieces[p.piece_id].worth for p in s.placements)
    cost = sum(hide_cost(hides[lay.hide_id or ""]) or 1.0 for lay in used)
    leather = sum(usable_region(hides[lay.hide_id or ""]).area for lay in used)
    by = cost if job.objective is Objective.MIN_COST else len(used)
    if job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE):
        return (-placed, by, leather)
    return (missing, by, -placed, leather)


def _worker(job: Job, seed: int, time_s: float, event: Any, out: Any, i: int) -> None:
    from leathernest.search.hides import nest_hides

    stop = _SharedStop(time_s, event)

    def listen(p: Progress) -> None:
        out.put(("progress", i, p))

    try:
        sol = nest_hides(dataclasses.replace(job, seed=seed), stop, listen)
        out.put(("done", i, sol))
    except Exception as exc:  # the parent re-raises it with the worker's index
        out.put(("error", i, repr(exc)))


def nest_hides_parallel(job: Job, stop: StopToken, listener: Listener, workers: int) -> Solution:
    """Run ``workers`` hide nesters in processes and return the best solution."""
    t0 = time.monotonic()
    ctx = mp.get_context("fork")
    event, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(job, job.seed + i, stop.remaining_s, event, out, i),
                         daemon=True) for i in range(workers)]
    for p in procs:
        p.start()
    done: dict[int, Solution] = {}
    best_seen: tuple | None = None
    while len(done) < workers:
        if stop.interrupted:
            event.set()
        try:
            msg = out.get(timeout=POLL_S)
        except queue.Empty:
            if not any(p.is_alive() for p in procs) and out.empty():
                raise RuntimeError("a hide worker process died without a result") from None
            continue
        if msg[0] == "progress":
            p: Progress = msg[2]
            key = (p.demanded - p.placed, p.hides_used or 0, -(p.utilisation or 0.0))
            if best_seen is None or key < best_seen:
                best_seen = key
                listener(dataclasses.replace(p, elapsed_s=stop.elapsed_s,
                                             phase=f"{p.phase}#{msg[1]}"))
        elif msg[0] == "error":
            event.set()
            raise RuntimeError(f"hide worker {msg[1]} failed: {msg[2]}")
        else:
            done[msg[1]] = msg[2]
    for p in procs:
        p.join(timeout=5.0)
    i_best = min(done, key=lambda i: (solution_score(job, done[i]), i))
    best = done[i_best]
    config = {**best.config, "workers": workers, "best_worker": i_best,
              "worker_hides": {str(i): sum(1 for lay in done[i].layouts if lay.placements)
                               for i in sorted(done)}}
    return dataclasses.replace(best, elapsed_s=time.monotonic() - t0, seed=job.seed,
                               config=config)
