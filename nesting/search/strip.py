"""The strip problem layer: what the optimiser tightens on a strip (its length).

The strategy is Sparrow's (Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithms 12
and 13), run by the one optimiser loop (:mod:`leathernest.search.optimise`) on the shared core:
one :class:`~leathernest.search.layout.Layout` on a one-container sheet, one separator, one
tracker. This module says what a strip is:

1. **Start** (:func:`leathernest.search.construct.strip_fill`): the first feasible layout and
   strip length.
2. **Tighten while exploring**: shrink the strip by ``explore_shrink`` of its length, pushing the
   pieces right of the middle to the left, which makes them overlap (the optimiser separates,
   records, pools and disrupts).
3. **Tighten while compressing** (the last ``compress_share``): from the best layout, ever smaller
   shrinks (0.05 % down to 0.001 % of the length, decaying with progress) at a random split line.

Anytime: the best feasible layout is kept from the first second; the separator polls the stop
token between chunks of work, so a time limit holds within a fraction of a second; with a work
budget (``StopToken(effort=...)``) every decision depends on work done, never on the clock, so a
seed and an effort give one layout on any machine.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from leathernest._version import __version__
from leathernest.collision.engine import CollisionEngine
from leathernest.config import SeparatorConfig, StripConfig
from leathernest.geometry.transform import place_points
from leathernest.model import HideLayout, Job, Placement, Solution, Strip, Unplaced, UnplacedReason
from leathernest.search.construct import fitted_length, strip_fill
from leathernest.search.items import Items, build_items
from leathernest.search.kernels import sample as ks
from leathernest.search.kernels.rng import seeded
from leathernest.search.layout import Layout, LayoutSnapshot
from leathernest.search.optimise import Phase, large_keys
from leathernest.search.stop import Listener, Progress, StopToken, no_listener

log = logging.getLogger("leathernest.strip")

DEFAULT_STRIP_CONFIG = StripConfig()


def _fits_height(items: Items, k: int, height: float) -> np.ndarray:
    """Rows in which copy k's height fits the strip's usable height (sampled for ranges)."""
    rows = items.rows[k]
    keep = np.zeros(len(rows), dtype=bool)
    bb = np.zeros(4)
    for i, r in enumerate(rows):
        for a in np.linspace(r[0], r[1], 1 if r[1] == r[0] else 73):
            ks.hull_bbox(*items.hull(k), float(a), bool(r[2] != 0.0), bb)
            if bb[3] - bb[1] < height:
                keep[i] = True
                break
    return keep


class StripProblem:
    """A strip to make short: the layout, the best feasible layout and its length."""

    def __init__(self, job: Job, cfg: StripConfig, seed: int, stop: StopToken,
                 listener: Listener = no_listener) -> None:
        assert isinstance(job.stock, Strip)
        self.job, self.cfg, self.stop, self.listener = job, cfg, stop, listener
        self.rng = np.random.default_rng(seed)
        self.krng = seeded(seed)
        self.patience = 0  # a strip length is never given up: every failure disrupts and retries
        self.pool_size = 0
        self.pool_stddev = cfg.pool_stddev
        self.compress_share = cfg.compress_share
        n = sum(p.n_copies for p in job.pieces)
        length0 = 2.0 * job.edge_margin + sum(
            max(p.outline.bbox[2] - p.outline.bbox[0], p.outline.bbox[3] - p.outline.bbox[1])
            + job.gap_mm + 1.0 for p in job.pieces for _ in range(p.n_copies))
        eng = CollisionEngine.for_strip(job.stock, length=length0, gap_mm=job.gap_mm,
                                        margin_mm=job.edge_margin, max_pieces=max(n, 1))
        items = build_items(job, eng, 0.0, cfg.move, cfg.poles, cfg.geometry)
        usable_h = float(eng.static.box[3] - eng.static.box[1])
        fit: dict[tuple, np.ndarray] = {}  # copies of one outline with the same rows fit alike
        rows = []
        for k, r in enumerate(items.rows):
            key = (int(items.pools.shape_of[k]), r.tobytes())
            if key not in fit:
                fit[key] = r[_fits_height(items, k, usable_h)] if len(r) else r
            rows.append(fit[key])
        self.items = items.with_rows(rows)
        self.unplaceable = tuple(k for k, r in enumerate(rows) if len(r) == 0)
        self.layout = Layout(self.items, eng, [None])
        self.best: LayoutSnapshot | None = None
        self.best_length = math.inf
        self.history: list[tuple[float, float]] = []  # (elapsed s, length) of each improvement
        self._shrunk = False  # whether exploration shrank the strip yet

    # -- bookkeeping ------------------------------------------------------------------------------

    @property
    def length(self) -> float:
        """The strip length the engine currently enforces."""
        return self.layout.engine.strip_length

    def exact_length(self) -> float:
        """Shortest strip holding the current layout, from the true outlines (+ the margin)."""
        right = 0.0
        lay = self.layout
        for k in lay.live_keys().tolist():
            r, m, x, y = (float(v) for v in lay.place[k, :4])
            c = self.items.centroids[int(self.items.piece_of[k])]
            ring = place_points(self.items.pieces[k].outline.outer - c, r, m != 0.0, x, y)
            right = max(right, float(ring[:, 0].max()))
        return right + self.job.edge_margin

    def density(self, length: float) -> float:
        """Placed area over the strip area up to length."""
        area = float(self.items.areas[self.layout.live != 0].sum())
        return area / (self.job.stock.height * length)  # type: ignore[union-attr]

    def record(self, phase: Phase) -> bool:
        """Keep the current (feasible) layout if it is shorter than the best one."""
        length = min(self.length, self.exact_length())
        if length >= self.best_length:
            return False
        self.best = self.layout.save()
        self.best_length = length
        self.history.append((round(self.stop.elapsed_s, 3), length))
        self.listener(Progress(self.stop.elapsed_s, int(self.layout.live.sum()), self.items.n,
                               density=self.density(length), phase=phase.value,
                               work=self.stop.work))
        log.debug("[%s] length %.4f density %.4f", phase.upper(), length, self.density(length))
        return True

    def set_length(self, length: float, split: float) -> None:
        """Change the strip length, moving pieces right of split by the difference."""
        lay = self.layout
        delta = length - self.length
        for k in lay.live_keys().tolist():
            bb = lay.engine.placed_bbox(k)
            if 0.5 * (bb[0] + bb[2]) > split:
                row = lay.place[k].copy()
                row[2] += delta
                lay.put(k, row, track=False)
        lay.engine.set_strip_length(length)
        lay.rebuild_tracker()

    # -- the optimiser's problem ------------------------------------------------------------------

    def start(self) -> bool:
        """Constructive start; the first feasible layout becomes the best."""
        keys = [k for k in range(self.items.n) if k not in set(self.unplaceable)]
        strip_fill(self.layout, keys, self.cfg.construct, self.krng, self.stop)
        self.layout.engine.set_strip_length(fitted_length(self.layout))
        self.layout.rebuild_tracker()
        assert self.layout.total_loss() == 0.0, "the constructive layout must be feasible"
        self.record(Phase.CONSTRUCT)
        return self.items.n - len(self.unplaceable) >= 1 and self.layout.tracked

    def tighten(self, phase: Phase, progress: float) -> bool:
        """A shorter strip, its right part pushed left into the overlap.

        Exploration shrinks by a fixed share from the middle, compression by a share decaying
        with progress at a random split line.
        """
        if phase is Phase.COMPRESS:
            lo, hi = self.cfg.compress_range
            step = lo + (hi - lo) * progress
            self.set_length(self.best_length * (1.0 - step), float(self.rng.uniform(0.0,
                                                                                   self.length)))
            return True
        length = min(self.length, self.best_length) if self._shrunk else self.length
        self._shrunk = True
        self.set_length(length * (1.0 - self.cfg.explore_shrink), 0.5 * length)
        return True

    def give_up(self) -> None:
        """Never called: a strip's patience is unbounded."""

    def restore_best(self) -> None:
        """Back to the shortest layout found."""
        assert self.best is not None
        self.layout.restore(self.best)

    def separator_config(self, phase: Phase) -> SeparatorConfig:
        """The exploration's separator tries longer than the compression's."""
        return self.cfg.compress if phase is Phase.COMPRESS else self.cfg.explore

    def disrupt(self) -> None:
        """Swap two large pieces (Sparrow's ``disrupt_solution``, without the carried items)."""
        lay = self.layout
        keys = lay.live_keys()
        if len(keys) < 2:
            return
        large = large_keys(keys, self.items.areas, self.cfg.large_item_share)
        a = int(self.rng.choice(large))
        pa = int(self.items.piece_of[a])
        others = [k for k in large.tolist() if int(self.items.piece_of[k]) != pa] or [
            k for k in keys.tolist() if k != a]
        b = int(self.rng.choice(others))
        ra, rb = lay.place[a].copy(), lay.place[b].copy()
        ra[2:4], rb[2:4] = lay.place[b, 2:4].copy(), lay.place[a, 2:4].copy()
        lay.put(a, ra, track=False)
        lay.put(b, rb, track=False)

    # -- sharing between workers ------------------------------------------------------------------

    def best_key(self) -> tuple:
        """Smaller is better: the best strip length."""
        return (self.best_length,)

    def payload(self) -> tuple:
        """What another worker needs to take over the best layout."""
        assert self.best is not None
        return (self.best.place.copy(), self.best.live.copy(), self.best_length,
                float(self.best.engine.box[2] + self.layout.engine.static.inset))

    def adopt(self, payload: tuple) -> None:
        """Take over another worker's best layout (and continue from it)."""
        place, live, best_length, engine_length = payload
        lay = self.layout
        for k in lay.live_keys().tolist():
            lay.take(k)
        lay.engine.set_strip_length(engine_length)
        for k in np.flatnonzero(live).tolist():
            lay.put(k, place[k], track=False)
        lay.rebuild_tracker()
        self.best = lay.save()
        self.best_length = best_length

    # -- result -----------------------------------------------------------------------------------

    def solution(self, seed: int, elapsed_s: float) -> Solution:
        """The best layout as a Solution (strip length fitted to the true outlines)."""
        assert self.best is not None
        place, live = self.best.place, self.best.live
        pls = []
        for k in np.flatnonzero(live).tolist():
            r, m, x, y = (float(v) for v in place[k, :4])
            tx, ty = self.items.to_piece_frame(k, r, m != 0.0, x, y)
            pls.append(Placement(self.items.pieces[k].id, self.items.copies[k], None, r % 360.0,
                                 m != 0.0, tx, ty))
        unplaced = tuple(Unplaced(self.items.pieces[k].id, self.items.copies[k],
                                  UnplacedReason.TOO_LARGE) for k in self.unplaceable)
        return Solution(
            job_name=self.job.name, kind="strip", layouts=(HideLayout(None, tuple(pls)),),
            unplaced=unplaced, strip_length=self.best_length, seed=seed, elapsed_s=elapsed_s,
            version=__version__, engine="strip", config={"history": self.history},
        )


__all__ = ["DEFAULT_STRIP_CONFIG", "StripConfig", "StripProblem"]
