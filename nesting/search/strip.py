"""The strip optimiser: constructive start, then explore and compress by overlap minimisation.

The strategy is Sparrow's (Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithms 12
and 13), which refines the strip-length search of Egeblad, Nielsen and Odgaard (2007) and
Imamichi, Yagiura and Nagamochi (2009):

1. **Construct** (:mod:`leathernest.search.construct`): a bottom-left fill gives the first
   feasible layout and strip length.
2. **Explore** (most of the time): shrink the strip by ``explore_shrink`` of its length, pushing
   the pieces right of a split line to the left, which makes them overlap; resolve the overlap
   with the separator (:mod:`leathernest.search.separate`). On success the layout is recorded
   (the strip length fitted tightly to it) and the strip shrinks again. On failure the layout
   joins a pool of infeasible ones; one of the better ones is taken, two large pieces in it
   swap places (a disruption), and separation tries again at the same length.
3. **Compress** (the last ``compress_share`` of the time): from the best layout, try ever
   smaller shrinks (from 0.05 % down to 0.001 % of the length, decaying with time) at a random
   split line; keep each success.

Anytime: the best feasible layout is kept from the first second; the stop token is polled
between moves, so the time limit holds within a fraction of a second. Work is counted
(:class:`Budget`), so tests can stop on iterations and a seed then gives one layout.

With ``workers`` > 1, independent searches with seeds ``seed, seed + 1, ...`` run in worker
processes (:mod:`leathernest.search.parallel`) and the densest layout wins.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from leathernest._version import __version__
from leathernest.collision.engine import CollisionEngine
from leathernest.model import (
    HideLayout,
    Job,
    Placement,
    Solution,
    Strip,
    Unplaced,
    UnplacedReason,
)
from leathernest.search.construct import construct, fit_length
from leathernest.search.separate import Budget, Separator, SeparatorConfig
from leathernest.search.state import NestState, StateSnapshot, build_items
from leathernest.search.stop import Listener, Progress, StopToken, no_listener
from leathernest.search.tracker import Tracker
from leathernest.geometry.transform import place_ring

log = logging.getLogger("nesting.strip")


@dataclass(frozen=True)
class StripConfig:
    """Tunables of the strip optimiser (Sparrow's values where they carry over)."""

    explore: SeparatorConfig = field(default_factory=SeparatorConfig)
    compress: SeparatorConfig = field(
        default_factory=lambda: SeparatorConfig(iter_no_improve=100, strikes=5))
    explore_shrink: float = 0.002  # share of the length removed per successful exploration step
    compress_share: float = 0.2  # share of the time given to compression
    compress_range: tuple[float, float] = (0.0005, 0.00001)  # shrink ratio, start and end
    pool_stddev: float = 0.25  # pick from the infeasible pool: |N(0, s)| x pool size (Sparrow)
    large_item_share: float = 0.75  # pieces making up this share of the area count as large
    # poles per piece for the overlap proxy: (max count, area coverage, smallest radius relative
    # to the first); None keeps the engine's (6, 0.85, 0.1)
    poles: tuple[int, float, float] | None = None
    max_iterations: int = 10**12  # separator iterations over the whole run (tests set a budget)


DEFAULT_STRIP_CONFIG = StripConfig()


class StripSearch:
    """One search on one core: holds the state, the tracker and the best feasible layout."""

    def __init__(self, job: Job, cfg: StripConfig, seed: int, stop: StopToken,
                 listener: Listener = no_listener) -> None:
        assert isinstance(job.stock, Strip)
        self.job, self.cfg, self.stop, self.listener = job, cfg, stop, listener
        self.rng = np.random.default_rng(seed)
        n = sum(p.n_copies for p in job.pieces)
        length0 = 2.0 * job.margin_mm + sum(
            max(p.outline.bbox[2] - p.outline.bbox[0], p.outline.bbox[3] - p.outline.bbox[1])
            + job.gap_mm + 1.0 for p in job.pieces for _ in range(p.n_copies))
        eng = CollisionEngine.for_strip(job.stock, length=length0, gap_mm=job.gap_mm,
                                        margin_mm=job.margin_mm, max_pieces=max(n, 1))
        self.items = build_items(job, eng, cfg.poles)
        self.state = NestState(self.items, eng)
        self.tracker = Tracker(self.items.n)
        self.budget = Budget(cfg.max_iterations)
        self.best: StateSnapshot | None = None
        self.best_length = math.inf
        self.history: list[float] = []  # best lengths in the order they were found

    # -- bookkeeping ------------------------------------------------------------------------------

    def keys(self) -> np.ndarray:
        """Copies in the layout."""
        return self.state.placed_keys()

    def exact_length(self) -> float:
        """Shortest strip holding the current layout, from the true outlines (+ the margin)."""
        right = 0.0
        for k in self.keys().tolist():
            r, m, x, y = self.state.place[k, :4]
            ring = place_ring(self.items.pieces[k].outline.outer, float(r), bool(m), float(x),
                              float(y))
            right = max(right, float(ring[:, 0].max()))
        return right + self.job.margin_mm

    def record(self, phase: str) -> None:
        """Keep the current (feasible) layout if it is shorter than the best one."""
        length = min(self.state.length, self.exact_length())
        if length < self.best_length:
            self.best = self.state.save()
            self.best_length = length
            self.history.append(length)
            self.listener(Progress(self.stop.elapsed_s, len(self.keys()), self.items.n,
                                   density=self.state.density(length), phase=phase))
            log.debug("[%s] length %.4f density %.4f", phase.upper(), length,
                      self.state.density(length))

    def set_length(self, length: float, split: float) -> None:
        """Change the strip length, moving pieces right of split by the difference."""
        delta = length - self.state.length
        for k in self.keys().tolist():
            bb = self.state.engine.placed_bbox(k)
            if 0.5 * (bb[0] + bb[2]) > split:
                row = self.state.place[k].copy()
                row[2] += delta
                self.state.put(k, row)
        self.state.engine.set_strip_length(length)
        self.tracker.rebuild(self.state.engine, self.keys())

    def separator(self, cfg: SeparatorConfig) -> Separator:
        """A separator on the shared state with this search's random stream."""
        return Separator(self.state, self.tracker, cfg, self.rng)

    # -- phases -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Constructive start; the first feasible layout becomes the best."""
        construct(self.state, self.stop)
        self.tracker.rebuild(self.state.engine, self.keys())
        assert self.tracker.total() == 0.0, "the constructive layout must be feasible"
        self.record("construct")

    def explore(self, stop: StopToken) -> None:
        """Algorithm 12: shrink after each success; disrupt from the infeasible pool on failure."""
        sep = self.separator(self.cfg.explore)
        pool: list[tuple[float, StateSnapshot]] = []
        assert self.best is not None
        self.state.restore(self.best)
        self.set_length(self.state.length * (1.0 - self.cfg.explore_shrink),
                        0.5 * self.state.length)
        while not stop.stopped() and not self.budget.spent:
            self.tracker.reset_weights()
            ok, snap, _tsnap = sep.separate(stop, self.budget)
            if ok:
                self.record("explore")
                pool.clear()
                length = min(self.state.length, self.best_length)
                self.set_length(length * (1.0 - self.cfg.explore_shrink), 0.5 * length)
                continue
            if stop.stopped() or self.budget.spent:
                break
            pool.append((self.tracker.total(), snap))
            pool.sort(key=lambda t: t[0])
            pick = min(int(abs(self.rng.normal(0.0, self.cfg.pool_stddev)) * len(pool)),
                       len(pool) - 1)
            self.state.restore(pool[pick][1])
            self.disrupt()
            self.tracker.rebuild(self.state.engine, self.keys())

    def compress(self, stop: StopToken) -> None:
        """Algorithm 13: small shrinks of the best layout at random split lines."""
        sep = self.separator(self.cfg.compress)
        t0, span = time.monotonic(), max(stop.remaining_s, 1e-9)
        lo, hi = self.cfg.compress_range
        while not stop.stopped() and not self.budget.spent and self.best is not None:
            ratio = min((time.monotonic() - t0) / span, 1.0)
            step = lo + (hi - lo) * ratio
            self.state.restore(self.best)
            self.tracker.reset_weights()
            target = self.best_length * (1.0 - step)
            self.set_length(target, float(self.rng.uniform(0.0, self.state.length)))
            ok, _snap, _t = sep.separate(stop, self.budget)
            if ok:
                self.record("compress")

    def disrupt(self) -> None:
        """Swap two large pieces (Sparrow's ``disrupt_solution``, without the carried items)."""
        keys = self.keys()
        if len(keys) < 2:
            return
        # Sparrow ranks by convex-hull area; the outline area is close enough for the choice
        area = np.array([self.items.areas[k] for k in keys.tolist()])
        order = np.argsort(-area, kind="stable")
        cum = np.cumsum(area[order])
        cut = int(np.searchsorted(cum, self.cfg.large_item_share * cum[-1])) + 1
        large = keys[order[: max(cut, 2)]]
        a = int(self.rng.choice(large))
        others = [k for k in large.tolist()
                  if self.items.shape_of[k] != self.items.shape_of[a]] or [
                      k for k in keys.tolist() if k != a]
        b = int(self.rng.choice(others))
        ca, cb = self._centre(a), self._centre(b)
        for k, frm, to in ((a, ca, cb), (b, cb, ca)):
            row = self.state.place[k].copy()
            row[2] += to[0] - frm[0]
            row[3] += to[1] - frm[1]
            self.state.put(k, row)

    def _centre(self, k: int) -> tuple[float, float]:
        bb = self.state.engine.placed_bbox(k)
        return 0.5 * (bb[0] + bb[2]), 0.5 * (bb[1] + bb[3])

    def run(self) -> None:
        """Construct, explore, compress (each phase stops at the token's deadline)."""
        self.start()
        if self.items.n - len(self.items.unplaceable) < 1:
            return
        explore_s = self.stop.remaining_s * (1.0 - self.cfg.compress_share)
        self.explore(self.stop.sub(explore_s))
        self.compress(self.stop)

    # -- result -----------------------------------------------------------------------------------

    def solution(self, seed: int, elapsed_s: float, workers: int = 1) -> Solution:
        """The best layout as a Solution (strip length fitted to the true outlines)."""
        assert self.best is not None
        place = self.best.place
        pls = []
        for k in self.keys().tolist():
            r, m, x, y = (float(v) for v in place[k, :4])
            pls.append(Placement(self.items.pieces[k].id, self.items.copies[k], None, r % 360.0,
                                 m != 0.0, x, y))
        unplaced = tuple(Unplaced(self.items.pieces[k].id, self.items.copies[k],
                                  UnplacedReason.TOO_LARGE) for k in self.items.unplaceable)
        return Solution(
            job_name=self.job.name, kind="strip", layouts=(HideLayout(None, tuple(pls)),),
            unplaced=unplaced, strip_length=self.best_length, seed=seed, elapsed_s=elapsed_s,
            version=__version__, engine="strip",
            config={"strip": asdict(self.cfg), "workers": workers,
                    "work": [self.budget.iterations, self.budget.moves]},
        )


def nest_strip(job: Job, stop: StopToken | None = None, listener: Listener = no_listener,
               seed: int | None = None, workers: int = 1,
               cfg: StripConfig = DEFAULT_STRIP_CONFIG) -> Solution:
    """Nest a strip job: the densest layout found before the stop token fires.

    Parameters
    ----------
    job : a strip job (``job.stock`` a :class:`~leathernest.model.Strip`).
    stop : deadline and interrupt (default: the job's time limit).
    listener : called with a :class:`Progress` (density) on every improvement.
    seed : random seed (default: the job's); one seed and worker count give one layout when the
        search stops on ``cfg.max_iterations`` rather than on time.
    workers : independent searches in worker processes (seeds ``seed + i``); the best wins.
    cfg : tunables, :data:`DEFAULT_STRIP_CONFIG` by default.
    """
    if not isinstance(job.stock, Strip):
        raise TypeError("nest_strip needs a strip job")
    stop = stop or StopToken(job.time_limit_s)
    seed = job.seed if seed is None else seed
    t0 = time.monotonic()
    if workers > 1:
        from leathernest.search.parallel import nest_parallel

        return nest_parallel(job, stop, listener, seed, workers, cfg)
    search = StripSearch(job, cfg, seed, stop, listener)
    search.run()
    return search.solution(seed, time.monotonic() - t0)


__all__ = ["DEFAULT_STRIP_CONFIG", "StripConfig", "StripSearch", "fit_length", "nest_strip"]
