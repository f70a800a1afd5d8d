"""Constructive placement: a complete feasible layout first, fast, for strips and hides alike.

Each copy goes to the best feasible position the LBF kernel finds in a box of one container
(:func:`leathernest.search.kernels.construct.place_lbf`: uniform samples of its allowed
orientations, exact tests, a gravity key, a feasible-only slide). The strip fill walks the copies by
decreasing area (first-fit decreasing, surveyed by Bennell and Oliveira, 2008; Sparrow starts from
a similar fill) and samples between the strip's left edge and just past the layout's right edge,
where every position that fits the height is free, so every copy that fits the height is placed.
The hide problem layer calls :func:`place_copy` per copy and container.
"""

from __future__ import annotations

import math

import numpy as np

from leathernest.config import ConstructConfig
from leathernest.search.kernels import construct as kc
from leathernest.search.kernels import sample as ks
from leathernest.search.layout import Layout
from leathernest.search.stop import StopToken

X_AXIS = np.array([1.0, 0.0])  # a strip's gravity axis: pieces pack leftwards


def construct_array(cfg: ConstructConfig) -> np.ndarray:
    """The kernels' cc vector (:mod:`leathernest.search.kernels.construct`)."""
    cc = np.zeros(kc.N_CC)
    cc[kc.CC_GRID], cc[kc.CC_TURN], cc[kc.CC_RANGE] = cfg.grid, cfg.turn_angles, cfg.range_points
    cc[kc.CC_W], cc[kc.CC_KEEP], cc[kc.CC_SHARE] = cfg.y_weight, cfg.keep, cfg.grid_share
    cc[kc.CC_SLIDE] = cfg.slide_min_rel
    return cc


def place_copy(lay: Layout, k: int, sbox: np.ndarray, cc: np.ndarray, rng: np.ndarray,
               stop: StopToken, samples: int = 0, axis: np.ndarray = X_AXIS) -> np.ndarray | None:
    """The best feasible placement row of copy k within sbox, or None (the layout is unchanged).

    Without ``samples``, the bottom-left lattice search (tight fills of hides); else that many
    uniform samples (a quick start for a strip, which the search then compresses; gaps in a
    filled hide). Pieces pack towards the ``-axis`` end first; cc is :func:`construct_array`.
    """
    out = np.zeros(6)
    before = int(lay.work[0])
    box = np.ascontiguousarray(sbox)
    if samples <= 0:
        ok = kc.place_bl(lay.arrays, k, box, cc, axis, rng, out)
    else:
        ok = kc.place_lbf(lay.arrays, k, box, samples, cc, axis, rng, out)
    stop.charge(int(lay.work[0]) - before)
    return out if ok else None


def rotated_box(lay: Layout, k: int, row: np.ndarray) -> np.ndarray:
    """Bbox of copy k's stock-inflated hull at a placement row (absolute coordinates)."""
    bb = np.zeros(4)
    ks.hull_bbox(*lay.items.hull(k), float(row[0]), bool(row[1] != 0.0), bb)
    return bb + np.array([row[2], row[3], row[2], row[3]])


class Shelf:
    """Columns right of a strip's layout: each copy on top of the last, a new column when full.

    Everything right of the layout is free, so a copy stacked there needs no test: a shelf
    costs nothing per copy and packs runs of like pieces as tightly as their boxes allow (the
    first layout of 5,000 small rectangles). Copies are stacked by the boxes of the outlines
    other pieces see (grown for the gap, as the engine has them) and kept inside the strip by
    the boxes of the outlines the stock sees, both a hair apart (``eps``).
    """

    def __init__(self, lay: Layout) -> None:
        self.lay = lay
        self.box = lay.engine.static.box
        self.eps = 1e-6 * float(self.box[3] - self.box[1])
        self.x0 = self.right = self.top = math.nan  # the open column: left, right, next bottom

    def start(self, right: float) -> Shelf:
        """Open the first column right of ``right`` (the right edge of the layout's gap boxes)."""
        self.x0 = self.right = max(right, float(self.box[0])) + self.eps
        self.top = -math.inf
        return self

    def place(self, k: int) -> np.ndarray | None:
        """The row of copy k on the shelf, or None if no orientation fits the strip's height."""
        shape = self._shape(k)
        if shape is None:
            return None
        a, mir, j, pb, sb = shape
        low, high = float(self.box[1]) + self.eps, float(self.box[3]) - self.eps
        y = max(self.top + self.eps - pb[1], low - sb[1])
        if y + sb[3] > high:  # the column is full: open the next one
            self.x0 = self.right + self.eps
            self.top = -math.inf
            y = low - sb[1]
        x = max(self.x0 - pb[0], float(self.box[0]) + self.eps - sb[0])
        self.right = max(self.right, x + pb[2])
        self.top = y + pb[3]
        return np.array([a, mir, x, y, j, a])

    def _box(self, pool, k: int, a: float, mirrored: bool) -> np.ndarray:
        v0, nv = pool.index[self.lay.items.pools.shape_of[k], :2]
        out = np.zeros(4)
        ks.hull_bbox(pool.xy, int(v0), int(nv), a, mirrored, out)
        return out

    def _shape(self, k: int):
        """The orientation of copy k whose gap box takes the least strip.

        Returns (angle, mirror, row, gap box, stock box); turning rows are tried at their ends,
        middle and quarter turns.
        """
        it, box, pools = self.lay.items, self.box, self.lay.items.pools
        height = float(box[3] - box[1]) - 2.0 * self.eps
        best, best_cost = None, (math.inf, math.inf)
        for j, r in enumerate(it.rows[k]):
            lo, hi = float(r[0]), float(r[1])
            angles = {lo} if hi <= lo else {lo, hi, 0.5 * (lo + hi)} | {
                q for q in (0.0, 90.0, 180.0, 270.0, 360.0) if lo <= q <= hi}
            for a in sorted(angles):
                sb = self._box(pools.for_stock, k, a, bool(r[2] != 0.0))
                if sb[3] - sb[1] > height:
                    continue
                pb = self._box(pools.for_pieces, k, a, bool(r[2] != 0.0))
                w, h = pb[2] - pb[0], pb[3] - pb[1]
                if (w * h, w) < best_cost:
                    best, best_cost = (a, float(r[2]), j, pb, sb), (w * h, w)
        return best


def strip_fill(lay: Layout, keys: list[int], cfg: ConstructConfig, rng: np.ndarray,
               stop: StopToken) -> None:
    """Place every copy of keys on the strip, largest first, left to right.

    The search must return a complete layout, so the fill always ends, and in time: the sampled
    placements take at most ``cfg.time_share`` of the time (or work) left; after that, or on an
    interrupt, the copies left go on a :class:`Shelf` right of the layout, which takes no
    search at all.
    """
    it = lay.items
    cc = construct_array(cfg)
    order = sorted(keys, key=lambda k: (-it.areas[k], k))
    box = lay.engine.static.box
    right = float(box[0])
    phase = stop.share(cfg.time_share)
    shelf = None
    for k in order:
        if shelf is None and (phase.stopped() or stop.interrupted):
            shelf = Shelf(lay).start(right)
        if shelf is None:
            reach = right + float(it.sizes[k]) + lay.engine.gap_mm
            sbox = np.array([box[0], box[1], min(box[2], reach), box[3]])
            row = place_copy(lay, k, sbox, cc, rng, phase, samples=cfg.samples)
            if row is None:  # no free place left of the edge: one column of its own there
                row = Shelf(lay).start(right).place(k)
        else:
            row = shelf.place(k)
        if row is None:
            raise AssertionError(f"strip fill: copy {k} fits no row (a bug: checked before)")
        lay.put(k, row)
        right = max(right, float(lay.engine.placed_bbox(k)[2]))


def fitted_length(lay: Layout) -> float:
    """The shortest strip length that holds the current layout (engine view, + a hair).

    The engine's box test is strict, so the length keeps 1e-7 of the height beyond the rightmost
    inflated piece.
    """
    keys = lay.live_keys().tolist()
    st = lay.engine.static
    right = max((float(lay.engine.placed_bbox(k)[2]) for k in keys), default=float(st.box[0]))
    return right + st.inset + 1e-7 * float(st.box[3] + st.inset)


__all__ = ["construct_array", "fitted_length", "place_copy", "rotated_box", "strip_fill"]
