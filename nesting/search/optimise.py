"""The one optimiser loop of both problems: tighten, separate, keep on success; pool and disrupt.

Sparrow's optimiser (Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithms 12 and 13),
which refines the strip-length search of Egeblad, Nielsen and Odgaard (2007) and Imamichi, Yagiura
and Nagamochi (2009), written once for every container:

- **explore** (most of the work): the problem *tightens* its best layout (a strip gets shorter, a
  hide's wall moves in, a hide is closed and its pieces inserted in the others), which makes pieces
  overlap, and the separator resolves the overlap. On success the layout is recorded and tightened
  again. On failure it joins a pool of infeasible layouts; one of the better ones is taken, the
  problem disrupts it (two large pieces swap places) and separation tries again. A problem may
  set a patience: after that many failures on one target it gives the target up and tightens
  another way (a hide search tries another hide rather than one hopeless elimination forever);
- **compress** (the rest): from the best layout, ever smaller tightenings, each separated once.

What differs between strips and hides is only what a container is, how a layout scores and which
tightenings exist: the :class:`Problem` (:mod:`leathernest.search.strip`,
:mod:`leathernest.search.hides`). Workers share their best layouts through the ``sync`` hook
(:mod:`leathernest.search.parallel`). Every decision depends on work done when the stop token is
budgeted, never on the clock, so a seed and an effort give one layout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

import numpy as np

from leathernest.config import SeparatorConfig
from leathernest.model import Solution
from leathernest.search.layout import Layout, LayoutSnapshot
from leathernest.search.separate import Separator
from leathernest.search.stop import StopToken


class Phase(StrEnum):
    """The two phases of the optimiser (and the construction before them)."""

    CONSTRUCT = "construct"
    EXPLORE = "explore"
    COMPRESS = "compress"


class Problem(Protocol):
    """What the optimiser needs of a problem layer."""

    layout: Layout
    stop: StopToken
    best: LayoutSnapshot | None  # the best feasible layout (None before the start)
    rng: np.random.Generator  # pool picks, disruptions and the problem's own choices
    krng: np.ndarray  # the kernels' generator (uint64[1])
    patience: int  # failed separations per target before giving it up (0: never)
    pool_size: int  # infeasible layouts kept per target (0: no bound)
    pool_stddev: float  # pick from the pool: |N(0, s)| x its size, the better ones more likely
    compress_share: float  # share of the time (or work) given to compression

    def start(self) -> bool:
        """Make the first feasible layout (the best so far).

        False when there is nothing to improve (an empty or untracked layout).
        """

    def tighten(self, phase: Phase, progress: float) -> bool:
        """Make the current layout tighter (it may overlap); False when nothing is left to try.

        progress in [0, 1]: how far the phase is (compression steps shrink with it).
        """

    def give_up(self) -> None:
        """The current target failed ``patience`` times: the next tightening aims elsewhere."""

    def record(self, phase: Phase) -> bool:
        """The current layout is feasible: keep it if it beats the best; True when it did."""

    def restore_best(self) -> None:
        """Return the layout to the best one."""

    def disrupt(self) -> None:
        """Perturb the current layout for exploration (two large pieces change places)."""

    def separator_config(self, phase: Phase) -> SeparatorConfig:
        """How hard one separation tries in the phase."""

    def best_key(self) -> tuple:
        """The best layout's score (smaller is better): what workers compare."""

    def payload(self) -> tuple:
        """What another worker needs to take over the best layout."""

    def adopt(self, payload: tuple) -> None:
        """Take over another worker's best layout as the best."""

    def solution(self, seed: int, elapsed_s: float) -> Solution:
        """The best layout as a Solution."""


Sync = Callable[[Problem], None]


def large_keys(keys: np.ndarray, areas: np.ndarray, share: float) -> np.ndarray:
    """The largest of ``keys`` that make up ``share`` of their area (at least two).

    A disruption swaps two of them (Sparrow's ``disrupt_solution``): small pieces moved change
    little, while two large ones swapped open a new neighbourhood.
    """
    area = areas[keys]
    order = np.argsort(-area, kind="stable")
    cum = np.cumsum(area[order])
    cut = int(np.searchsorted(cum, share * cum[-1])) + 1
    return keys[order[: max(cut, 2)]]


def no_sync(_problem: Problem) -> None:
    """The single-worker hook: nothing to share."""


class Pool:
    """Infeasible layouts of one target, the least overlapping first (Sparrow's solution pool)."""

    def __init__(self, size: int, stddev: float) -> None:
        self.size, self.stddev = size, stddev
        self.items: list[tuple[float, LayoutSnapshot]] = []

    def add(self, loss: float, snap: LayoutSnapshot) -> None:
        """Keep a layout (the worst goes when the pool is full)."""
        self.items.append((loss, snap))
        self.items.sort(key=lambda t: t[0])
        if self.size:
            del self.items[self.size:]

    def pick(self, rng: np.random.Generator) -> LayoutSnapshot:
        """One layout, the better ones more likely."""
        i = min(int(abs(rng.normal(0.0, self.stddev)) * len(self.items)), len(self.items) - 1)
        return self.items[i][1]

    def clear(self) -> None:
        """Forget every layout (the target changed)."""
        self.items.clear()


class Optimiser:
    """Explore, then compress, a problem's layout until the stop token fires."""

    def __init__(self, problem: Problem, sync: Sync = no_sync) -> None:
        self.problem = problem
        self.sync = sync
        self.moves = 0
        self.iterations = 0

    def run(self) -> None:
        """Start, explore, compress (each phase stops at its share of the time or work)."""
        p = self.problem
        if not p.start():
            return
        self.explore(p.stop.share(1.0 - p.compress_share))
        self.compress(p.stop)

    def _synced(self) -> bool:
        """Offer the best layout to the other workers; True when theirs was taken over."""
        before = self.problem.best_key()
        self.sync(self.problem)
        return self.problem.best_key() < before

    def _separator(self, phase: Phase) -> Separator:
        p = self.problem
        return Separator(p.layout, p.separator_config(phase), p.krng)

    def _count(self, sep: Separator) -> None:
        self.moves += sep.moves
        self.iterations += sep.iterations

    def explore(self, stop: StopToken) -> None:
        """Algorithm 12: tighten after each success; disrupt from the infeasible pool on failure."""
        p, lay = self.problem, self.problem.layout
        sep = self._separator(Phase.EXPLORE)
        pool = Pool(p.pool_size, p.pool_stddev)
        fails = 0
        p.restore_best()
        active = p.tighten(Phase.EXPLORE, self.progress(stop))
        while active and not stop.stopped():
            if self._synced():
                pool.clear()
                fails = 0
                p.restore_best()
                active = p.tighten(Phase.EXPLORE, self.progress(stop))
                continue
            lay.tracker.reset_weights()
            sep.configure(p.separator_config(Phase.EXPLORE))
            if sep.separate(stop):
                p.record(Phase.EXPLORE)
                pool.clear()
                fails = 0
                active = p.tighten(Phase.EXPLORE, self.progress(stop))
                continue
            if stop.stopped():
                break
            pool.add(lay.total_loss(), lay.save())
            fails += 1
            if p.patience and fails >= p.patience:
                p.give_up()
                pool.clear()
                fails = 0
                p.restore_best()
                active = p.tighten(Phase.EXPLORE, self.progress(stop))
                continue
            lay.restore(pool.pick(p.rng))
            p.disrupt()
            lay.rebuild_tracker()
        self._count(sep)

    def compress(self, stop: StopToken) -> None:
        """Algorithm 13: ever smaller tightenings of the best layout, each separated once."""
        p, lay = self.problem, self.problem.layout
        sep = self._separator(Phase.COMPRESS)
        t0 = time.monotonic()
        while not stop.stopped():
            self._synced()
            progress = self.progress(stop, t0)
            p.restore_best()
            lay.tracker.reset_weights()
            if not p.tighten(Phase.COMPRESS, progress):
                break
            if sep.separate(stop):
                p.record(Phase.COMPRESS)
        self._count(sep)

    @staticmethod
    def progress(stop: StopToken, t0: float | None = None) -> float:
        """How far a phase is, in [0, 1]: by work when budgeted, else by the clock."""
        if stop.budgeted and stop.effort:
            return min(stop.work / stop.effort, 1.0)
        start = stop.start if t0 is None else t0
        span = max(stop.deadline - start, 1e-9)
        return min((time.monotonic() - start) / span, 1.0)


__all__ = ["Optimiser", "Phase", "Pool", "Problem", "Sync", "no_sync"]
