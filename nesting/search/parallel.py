"""Run a search: on one core, or on every core with searches that help each other.

:func:`solve` is the search's entry point: it builds the problem of the job's kind
(:class:`~leathernest.search.strip.StripProblem` or :class:`~leathernest.search.hides.HideProblem`)
and runs the one optimiser loop (:class:`~leathernest.search.optimise.Optimiser`) on it, in this
process or in workers. Nothing in the search imports this module back.

Worker ``i`` runs the search with seed ``seed + i`` in its own process (the Python driver
between kernel calls holds the GIL, so processes, not threads). The run is cut into *epochs*: at
its first safe point after an epoch's end (between separations), each worker sends the score of
its best layout to the parent and waits; when every live worker has reported, the parent sends the
best layout to every worker that holds a worse one, which takes it over and goes on with its own
random stream. So the workers pool what they find (the multi-start idea of Imamichi et al. 2009,
with the exchange of the best that island models use) instead of racing blindly.

Epochs are measured in work when the run has a work budget (then the exchange, and so the answer,
depend only on the seed, the worker count and the effort) and in seconds otherwise.
``exchange=False`` gives a plain portfolio of independent searches, for comparison.

Processes start with the platform's method (``spawn`` on Windows and macOS, ``fork`` on Linux);
everything sent to a worker is picklable, and the tests run the pool with ``spawn`` too. Progress
of every worker reaches the listener in the parent (improvements of the overall best only); an
interrupt of the parent's token stops every worker at its next check, each returns its best
layout, so the anytime promise holds.

Imports multiprocessing and the problem layers; no numba.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from multiprocessing.context import BaseContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

from leathernest.config import HidesConfig, StripConfig
from leathernest.model import Job, Solution
from leathernest.processes import end_with_parent
from leathernest.search.hides import HideProblem
from leathernest.search.optimise import Optimiser, Problem, Sync, no_sync
from leathernest.search.stop import Listener, Progress, StopToken
from leathernest.search.strip import StripProblem

POLL_S = 0.05  # how often the parent looks at the workers' messages


def make_problem(job: Job, cfg: StripConfig | HidesConfig, seed: int, stop: StopToken,
                 listener: Listener) -> Problem:
    """The problem layer of the job's kind."""
    if job.is_strip:
        assert isinstance(cfg, StripConfig)
        return StripProblem(job, cfg, seed, stop, listener)
    assert isinstance(cfg, HidesConfig)
    return HideProblem(job, cfg, seed, stop, listener)


def run_problem(problem: Problem, seed: int, sync: Sync = no_sync) -> Solution:
    """Optimise the problem until its stop token fires; its best layout as a Solution."""
    t0 = time.monotonic()
    opt = Optimiser(problem, sync)
    opt.run()
    sol = problem.solution(seed, time.monotonic() - t0)
    return dataclasses.replace(sol, config={
        **sol.config, "workers": 1,
        "work": {"evaluations": int(problem.stop.work), "moves": opt.moves,
                 "iterations": opt.iterations}})


def solve(job: Job, stop: StopToken, listener: Listener, seed: int, workers: int,
          cfg: StripConfig | HidesConfig) -> Solution:
    """Nest the job on one core or several (see the module docstring)."""
    if workers > 1:
        return nest_parallel(job, stop, listener, seed, workers, cfg)
    return run_problem(make_problem(job, cfg, seed, stop, listener), seed)


def usable_cores() -> int:
    """Cores this process may run on (affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class _SharedStop(StopToken):
    """A worker's stop token: its own budget, the parent's interrupt as a shared event."""

    def __init__(self, time_limit_s: float, effort: int | None, event: Event) -> None:
        self._event = event
        super().__init__(time_limit_s, effort=effort)

    @property
    def interrupted(self) -> bool:  # type: ignore[override]
        """The shared flag."""
        return self._event.is_set()

    @interrupted.setter
    def interrupted(self, value: bool) -> None:
        if value:
            self._event.set()


class _Exchange:
    """The worker side of the epochs: report the best at each boundary, take over a better one.

    With a work budget the boundary is a barrier (the parent answers once every live worker has
    reported), so what is exchanged depends on work only. Without one a worker never waits: it
    posts a better best to the parent and takes over the newest better layout the parent has
    broadcast, if any.
    """

    def __init__(self, i: int, out: Queue, inbox: Queue, stop: StopToken, epoch_work: int | None,
                 epoch_s: float) -> None:
        self.i, self.out, self.inbox, self.stop = i, out, inbox, stop
        self.epoch_work, self.epoch_s = epoch_work, epoch_s
        self.epoch = 0
        self.sent: tuple | None = None

    def due(self) -> bool:
        nxt = self.epoch + 1
        if self.epoch_work is not None:
            return self.stop.work >= nxt * self.epoch_work
        return self.stop.elapsed_s >= nxt * self.epoch_s

    def __call__(self, search: Problem) -> None:
        if search.best is None or not self.due() or self.stop.stopped():
            return
        self.epoch += 1
        key = search.best_key()
        if self.epoch_work is None:
            if self.sent is None or key < self.sent:
                self.out.put(("best", self.i, key, search.payload()))
                self.sent = key
            newest = None
            while True:
                try:
                    newest = self.inbox.get_nowait()
                except queue.Empty:
                    break
            if newest is not None and newest[1] < search.best_key():
                search.adopt(newest[2])
                self.sent = newest[1]
            return
        self.out.put(("epoch", self.i, self.epoch, key))
        msg = self.inbox.get()
        if msg[0] == "send":
            self.out.put(("payload", self.i, self.epoch, search.payload()))
            msg = self.inbox.get()
        if msg[0] == "adopt":
            search.adopt(msg[2])


TERM_GRACE_S = 3.0  # a worker told to terminate returns its layout within this, or ends


def die_with_parent(parent_pid: int, event: Event) -> None:
    """Make this worker end when its parent does, and hear SIGTERM.

    The parent's end: :func:`leathernest.processes.end_with_parent`. Ctrl-C and SIGHUP of the
    terminal (sent to the whole process group) are left to the parent, which stops the workers
    through the shared ``event``. SIGTERM (the parent's ``terminate``, or one sent to the whole
    group) sets that event, so the search returns its best layout, and ends the worker
    ``TERM_GRACE_S`` later if it has not ended by then; a second SIGTERM ends it at once.
    """
    for sig in (signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError, AttributeError):
            signal.signal(sig, signal.SIG_IGN)
    told: list[bool] = []

    def on_term(_sig: int, _frame: object) -> None:
        if told:
            os._exit(1)
        told.append(True)

        def stop_then_end() -> None:  # a thread: the event's lock may be held by this frame
            event.set()
            time.sleep(TERM_GRACE_S)
            os._exit(1)

        threading.Thread(target=stop_then_end, daemon=True).start()

    with contextlib.suppress(ValueError, OSError, AttributeError):
        signal.signal(signal.SIGTERM, on_term)
    end_with_parent(parent_pid)


def _worker(job: Job, cfg: StripConfig | HidesConfig, seed: int, time_s: float,
            effort: int | None, epoch_work: int | None, epoch_s: float, exchange: bool,
            event: Event, out: Queue, inbox: Queue, i: int, parent_pid: int) -> None:
    """Run one search; talk to the parent through out (to it) and inbox (from it)."""
    die_with_parent(parent_pid, event)
    stop = _SharedStop(time_s, effort, event)

    def listen(p: Progress) -> None:
        out.put(("progress", i, p))

    try:
        problem = make_problem(job, cfg, seed, stop, listen)
        sync = _Exchange(i, out, inbox, stop, epoch_work, epoch_s) if exchange else no_sync
        solution = run_problem(problem, seed, sync)
        out.put(("done", i, solution, problem.best_key(), stop.work, stop.hit_deadline))
    except Exception as exc:  # the parent re-raises it with the worker's index
        out.put(("error", i, repr(exc)))


def _context(start_method: str | None) -> BaseContext:
    return mp.get_context(start_method) if start_method else mp.get_context()


def nest_parallel(job: Job, stop: StopToken, listener: Listener, seed: int, workers: int,
                  cfg: StripConfig | HidesConfig, exchange: bool = True,
                  start_method: str | None = None) -> Solution:
    """Run workers cooperating searches in processes and return the best layout."""
    ctx = _context(start_method)
    event, out = ctx.Event(), ctx.Queue()
    inboxes = [ctx.Queue() for _ in range(workers)]
    effort = stop.effort
    time_s = stop.remaining_s
    epochs, min_s = cfg.exchange.epochs, cfg.exchange.min_epoch_s
    epoch_work = None if effort is None else max(1, effort // epochs)
    epoch_s = min_s if not math.isfinite(time_s) else max(min_s, time_s / epochs)
    procs = [ctx.Process(target=_worker, args=(job, cfg, seed + i, time_s, effort, epoch_work,
                                               epoch_s, exchange, event, out, inboxes[i], i,
                                               os.getpid()), daemon=True)
             for i in range(workers)]
    for p in procs:
        p.start()
    done: dict[int, tuple] = {}
    waiting: dict[int, tuple] = {}  # worker -> (epoch, best key) at its current boundary
    best_key: tuple | None = None
    shared: tuple | None = None  # (key, payload) of the best layout broadcast so far
    try:
        while len(done) < workers:
            if stop.interrupted:
                event.set()
            try:
                msg = out.get(timeout=POLL_S)
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and out.empty():
                    raise RuntimeError("a search worker process died without a result") from None
                continue
            if msg[0] == "progress":
                p = msg[2]
                key = (p.demanded - p.placed, p.density is None, -(p.density or 0.0),
                       p.hides_used or 0, -(p.utilisation or 0.0))
                if best_key is None or key < best_key:
                    best_key = key
                    listener(p)
            elif msg[0] == "error":
                event.set()
                raise RuntimeError(f"search worker {msg[1]} failed: {msg[2]}")
            elif msg[0] == "best":  # time-limited runs: pass a new overall best on at once
                if shared is None or msg[2] < shared[0]:
                    shared = (msg[2], msg[3])
                    for j in range(workers):
                        if j != msg[1] and j not in done:
                            inboxes[j].put(("adopt", msg[2], msg[3]))
            elif msg[0] == "epoch":
                waiting[msg[1]] = (msg[2], msg[3])
            elif msg[0] == "done":
                done[msg[1]] = msg
            _settle(waiting, done, workers, out, inboxes)
    finally:
        event.set()
        for p in procs:
            p.join(timeout=5.0)
            if p.is_alive():
                p.terminate()
    i_best = min(done, key=lambda i: (done[i][3], i))
    sol = done[i_best][2]
    # the run's seed, which reproduces it (worker i searched with seed + i: config.best_worker)
    return dataclasses.replace(sol, seed=seed, config={
        **sol.config, "workers": workers, "exchange": exchange, "best_worker": i_best,
        "work_per_worker": [done[i][4] for i in sorted(done)]})


def _settle(waiting: dict[int, tuple], done: dict[int, tuple], workers: int, out: Queue,
            inboxes: list[Queue]) -> None:
    """When every live worker waits at the same boundary, send the best layout to the others.

    The holder of the best key (lowest index on a tie) is asked for its layout; every worker with
    a worse key takes it over; the rest go on as they are.
    """
    live = [i for i in range(workers) if i not in done]
    if not live or any(i not in waiting for i in live):
        return
    keys = {i: waiting[i][1] for i in live}
    best = min(live, key=lambda i: (keys[i], i))
    worse = [i for i in live if keys[i] > keys[best]]
    if not worse:
        for i in live:
            inboxes[i].put(("go",))
        waiting.clear()
        return
    inboxes[best].put(("send",))
    while True:  # the holder answers with its layout (other messages wait their turn)
        msg = out.get()
        if msg[0] == "payload" and msg[1] == best:
            break
        if msg[0] == "done":
            done[msg[1]] = msg
        # progress messages during the hand-over are dropped: the best is known
    inboxes[best].put(("go",))
    for i in live:
        if i == best:
            continue
        inboxes[i].put(("adopt", keys[best], msg[3]) if i in worse else ("go",))
    waiting.clear()


__all__ = ["die_with_parent", "make_problem", "nest_parallel", "run_problem", "solve",
           "usable_cores"]
