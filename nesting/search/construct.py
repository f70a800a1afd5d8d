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


def _beyond(lay: Layout, k: int, right: float) -> np.ndarray | None:
    """A placement right of everything (free by construction), or None if no row fits the height."""
    box = lay.engine.static.box
    gap = lay.engine.gap_mm
    bb = np.zeros(4)
    for j, r in enumerate(lay.items.rows[k]):
        a = float(r[0]) if r[1] <= r[0] else 0.5 * (float(r[0]) + float(r[1]))
        ks.hull_bbox(*lay.items.hull(k), a, bool(r[2] != 0.0), bb)
        if bb[3] - bb[1] >= box[3] - box[1]:
            continue
        x = max(right, box[0]) + gap + 1e-6 * (box[3] - box[1]) - bb[0]
        y = 0.5 * (box[1] + box[3]) - 0.5 * (bb[1] + bb[3])
        return np.array([a, r[2], x, y, j, a])
    return None


def strip_fill(lay: Layout, keys: list[int], cfg: ConstructConfig, rng: np.ndarray,
               stop: StopToken) -> None:
    """Place every copy of keys on the strip, largest first, left to right.

    The search must return a complete layout, so the fill always ends; once the deadline has
    passed (or on an interrupt) the copies left go straight beyond the layout's right edge, which
    is always free and takes no search at all.
    """
    it = lay.items
    cc = construct_array(cfg)
    order = sorted(keys, key=lambda k: (-it.areas[k], k))
    box = lay.engine.static.box
    right = float(box[0])
    for k in order:
        reach = right + float(it.sizes[k]) + lay.engine.gap_mm
        sbox = np.array([box[0], box[1], min(box[2], reach), box[3]])
        late = stop.interrupted or stop.remaining_s <= 0.0
        row = None if late else place_copy(lay, k, sbox, cc, rng, stop, samples=cfg.samples)
        if row is None:
            row = _beyond(lay, k, right)
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
