"""Several strip searches at once, one per core; the densest layout wins.

Each worker runs an independent :class:`~leathernest.search.strip.StripSearch` with seed
``seed + i`` (a portfolio, as the multi-start variants of Imamichi et al. 2009 and Sparrow's
independent workers in its benchmark mode). Two modes:

- ``"process"`` (default): forked worker processes. Each has its own interpreter, so the Python
  driver (tracker, move bookkeeping) runs truly in parallel.
- ``"thread"``: threads in this process. The Numba kernels release the GIL, but the driver
  between kernel calls holds it: profiled on shirts, ``search_position`` is 74 % of a worker's
  time, so two threads can do at most 1 / (0.26 + 0.74 / 2) = 1.6x the work of one, where two
  processes can do 2x. Measured on the shared 2-core machine (10 s, shirts, two workers, load
  about 4): 10,318 moves in total with processes, 9,409 with threads; hence processes by default
  (see benchmarks/RESULTS.md for the caveat: the other agents' load dominates that figure).

Progress of every worker reaches the listener in the parent (only improvements of the overall
best). Interrupting the parent's token stops every worker at its next check; each returns its
best layout, so the anytime promise holds.

Imports multiprocessing and the strip search; no numba.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from typing import Any

from leathernest._version import __version__
from leathernest.model import HideLayout, Job, Placement, Solution, Unplaced, UnplacedReason
from leathernest.search.stop import Listener, Progress, StopToken

POLL_S = 0.05  # how often the parent looks at the workers' queues


class _SharedStop(StopToken):
    """A stop token whose interrupt flag is a shared event (process or thread)."""

    def __init__(self, time_limit_s: float, event: Any) -> None:
        self._event = event
        super().__init__(time_limit_s)

    @property
    def interrupted(self) -> bool:  # type: ignore[override]
        """The shared flag."""
        return self._event.is_set()

    @interrupted.setter
    def interrupted(self, value: bool) -> None:
        if value:
            self._event.set()


def _worker(job: Job, cfg: Any, seed: int, time_s: float, event: Any, out: Any, i: int) -> None:
    """Run one search and send (index, strip length, placements, unplaced, work) to out."""
    from leathernest.search.strip import StripSearch

    stop = _SharedStop(time_s, event)
    search = StripSearch(job, cfg, seed, stop,
                         lambda p: out.put(("progress", i, p.density, p.phase)))
    try:
        search.run()
        sol = search.solution(seed, stop.elapsed_s)
        pls = [(p.piece_id, p.copy, p.rotation_deg, p.mirrored, p.x, p.y) for p in sol.placements]
        unpl = [(u.piece_id, u.copy, u.reason.value) for u in sol.unplaced]
        out.put(("done", i, sol.strip_length, pls, unpl,
                 (search.budget.iterations, search.budget.moves)))
    except Exception as exc:  # the parent re-raises it with the worker's index
        out.put(("error", i, repr(exc)))


def nest_parallel(job: Job, stop: StopToken, listener: Listener, seed: int, workers: int,
                  cfg: Any, mode: str = "process") -> Solution:
    """Run workers searches (processes or threads) and return the densest layout."""
    t0 = time.monotonic()
    if mode == "process":
        ctx = mp.get_context("fork")
        event, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(job, cfg, seed + i, stop.remaining_s, event,
                                                   out, i), daemon=True) for i in range(workers)]
    else:
        event, out = threading.Event(), queue.Queue()
        procs = [threading.Thread(target=_worker, args=(job, cfg, seed + i, stop.remaining_s,
                                                        event, out, i), daemon=True)
                 for i in range(workers)]
    for p in procs:
        p.start()
    done: dict[int, tuple] = {}
    best_density = 0.0
    demanded = sum(p.n_copies for p in job.pieces)
    while len(done) < workers:
        if stop.interrupted:
            event.set()
        try:
            msg = out.get(timeout=POLL_S)
        except queue.Empty:
            if mode == "process" and not any(p.is_alive() for p in procs) and out.empty():
                raise RuntimeError("a strip worker process died without a result") from None
            continue
        if msg[0] == "progress":
            if msg[2] is not None and msg[2] > best_density:
                best_density = msg[2]
                listener(Progress(stop.elapsed_s, demanded, demanded, density=msg[2],
                                  phase=f"{msg[3]}#{msg[1]}"))
        elif msg[0] == "error":
            event.set()
            raise RuntimeError(f"strip worker {msg[1]} failed: {msg[2]}")
        else:
            done[msg[1]] = msg
    for p in procs:
        p.join(timeout=5.0)
    i_best = min(done, key=lambda i: (done[i][2], i))
    _, _, length, pls, unpl, _work = done[i_best]
    placements = tuple(Placement(pid, c, None, r, m, x, y) for pid, c, r, m, x, y in pls)
    unplaced = tuple(Unplaced(pid, c, UnplacedReason(reason)) for pid, c, reason in unpl)
    from dataclasses import asdict

    return Solution(
        job_name=job.name, kind="strip", layouts=(HideLayout(None, placements),),
        unplaced=unplaced, strip_length=length, seed=seed, elapsed_s=time.monotonic() - t0,
        version=__version__, engine="strip",
        config={"strip": asdict(cfg), "workers": workers, "parallel": mode,
                "work": {str(i): list(done[i][5]) for i in sorted(done)},
                "best_worker": i_best},
    )
