"""The engine's layout of each exercise, computed once, in a process of its own, in the background.

A trainer adds an exercise; its engine layout is what every trainee's submit is scored against,
so it is computed once per exercise (not per trainee) and stored with it. The search runs in a
separate process (``spawn``) through :func:`leathernest.nest.nest` with a
:class:`~leathernest.search.stop.StopToken` of the exercise's time, one search at a time on one
core, so the web server and the check workers keep the others. A server killed mid-search starts
the search again at its next start (:meth:`EngineRuns.resume`); a search that outlives its time
by :data:`GRACE_S` is ended and reported as failed.

When a layout is stored, :attr:`EngineRuns.on_ready` is called with the exercise id (the server
scores the attempts that were waiting for it).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable

from leathernest.io.solution_json import solution_text
from leathernest.nest import job_kinds, nest, warm_up
from leathernest.processes import end_with_parent
from leathernest.search.stop import StopToken
from leathernest.train.checking import stored_job
from leathernest.train.store import Store

log = logging.getLogger("nesting.train")

SEARCH_NICE = 10  # the search's priority below the server's and the checks'
# Beyond its time limit a search may take this long (compiling the kernels on a cold machine,
# validating, measuring) before it is ended as failed.
GRACE_S = 300.0


def _search(job_json: str, time_s: float, conn, parent: int) -> None:
    """In the engine's process: nest the job, send back the solution JSON or the error."""
    end_with_parent(parent)  # a killed server takes its search with it
    os.nice(SEARCH_NICE)  # the trainees' checks come first
    try:
        job = stored_job(job_json, 0)
        warm_up(job_kinds(job))  # compile (or load) the kernels before the clock starts
        solution = nest(job, stop=StopToken(time_s))
        conn.send(("ready", solution_text(job, solution)))
    except Exception as exc:  # reported to the trainer; the traceback goes to the log
        log.exception("the engine failed")
        conn.send(("failed", f"the engine failed: {exc}"))
    finally:
        conn.close()


class EngineRuns:
    """One background thread running the searches of the exercises waiting for one."""

    def __init__(self, store: Store, on_ready: Callable[[int], None] = lambda _eid: None) -> None:
        self.store = store
        self.on_ready = on_ready
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._stop = threading.Event()
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._thread = threading.Thread(target=self._loop, name="engine-runs", daemon=True)
        self._thread.start()

    def add(self, eid: int) -> None:
        """Queue an exercise's search."""
        self._queue.put(eid)

    def resume(self) -> None:
        """Queue every exercise still without a layout (after a restart)."""
        for eid in self.store.engine_pending():
            self.add(eid)

    def _loop(self) -> None:
        while not self._stop.is_set():
            eid = self._queue.get()
            if eid is None:
                return
            try:
                self._run(eid)
            except Exception:  # a broken database must not end the loop silently
                log.exception("engine run of exercise %s", eid)

    def _run(self, eid: int) -> None:
        ex = self.store.exercise(eid)
        if ex["engine_state"] not in ("waiting", "running"):
            return
        self.store.set_engine(eid, "running")
        ctx = multiprocessing.get_context("spawn")
        mine, theirs = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_search, args=(self.store.job_json(eid),
                                                 ex["engine_time_s"], theirs, os.getpid()),
                           name=f"engine-{eid}", daemon=True)
        self._proc = proc
        proc.start()
        theirs.close()
        answer = None
        if mine.poll(ex["engine_time_s"] + GRACE_S):
            try:
                answer = mine.recv()
            except EOFError:
                answer = None
        proc.join(5.0)
        if proc.is_alive():
            proc.kill()
            proc.join()
        self._proc = None
        if self._stop.is_set():
            return  # shutting down: the search starts again at the next start
        if answer is None:
            answer = ("failed", "the engine ended without a layout (time out or crash)")
        state, payload = answer
        if state == "ready":
            self.store.set_engine(eid, "ready", solution_json=payload)
            self.on_ready(eid)
        else:
            self.store.set_engine(eid, "failed", error=payload)

    def close(self) -> None:
        """Stop: end a running search (it runs again at the next start)."""
        self._stop.set()
        self._queue.put(None)
        proc = self._proc
        if proc is not None and proc.is_alive():
            proc.kill()
        self._thread.join(10.0)
