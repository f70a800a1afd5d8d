"""The backbone's reference direction at any point of a hide, followed smoothly along a bent spine.

Grain is cut along (or across) the backbone: leather stretches least along the spine. A straight
backbone gives one direction for the whole hide; a digitised spine is a polyline, and a piece should
follow the spine where it lies, without a jump at every vertex. The definition, used by the search
(numpy here, the Numba form in :mod:`leathernest.search.kernels.backbone`) and re-implemented
independently by the validator:

1. zero-length segments are dropped; segment i has direction angle ``a_i`` (unwrapped, so
   consecutive angles differ by at most 180 degrees) and midpoint at arc length ``M_i``;
2. the tangent angle at arc length s is ``a_0`` before ``M_0``, ``a_last`` after the last midpoint,
   and in between the linear interpolation of the two neighbouring segments' angles by arc length
   (a piecewise-linear turn from the middle of one segment to the middle of the next);
3. the reference direction at a point p is the tangent angle at the arc length of the point of the
   backbone nearest to p (the first segment wins a tie).

Without a backbone (and on strips) the reference is the x axis. Directions are degrees in [0, 360);
grain compares them as undirected axes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class BackboneArrays:
    """A backbone polyline as the arrays the direction field needs (float64, no zero segments).

    ``xy`` float64[2, v] vertices; ``s`` float64[v] arc length of each vertex; ``mid`` float64[v-1]
    arc length of each segment's midpoint; ``ang`` float64[v-1] unwrapped segment angles (radians).
    An empty backbone (v = 0) means the x axis everywhere.
    """

    xy: np.ndarray
    s: np.ndarray
    mid: np.ndarray
    ang: np.ndarray

    @property
    def straight(self) -> bool:
        """Whether the field is one direction everywhere (no backbone, or one segment)."""
        return self.ang.shape[0] <= 1 or bool(np.ptp(self.ang) == 0.0)

    @property
    def constant_deg(self) -> float:
        """The direction of a straight field, degrees in [0, 360)."""
        return math.degrees(float(self.ang[0])) % 360.0 if self.ang.shape[0] else 0.0


def backbone_arrays(backbone: np.ndarray | None, dx: float = 0.0, dy: float = 0.0
                    ) -> BackboneArrays:
    """The arrays of a backbone polyline (float64 (n, 2) or None), translated by (dx, dy)."""
    if backbone is None or len(backbone) < 2:
        z = np.zeros(0)
        return BackboneArrays(np.zeros((2, 0)), z, z.copy(), z.copy())
    pts = np.asarray(backbone, dtype=np.float64)
    keep = [0]
    for i in range(1, len(pts)):
        if not np.array_equal(pts[i], pts[keep[-1]]):
            keep.append(i)
    pts = pts[keep] + np.array([dx, dy])
    if len(pts) < 2:
        z = np.zeros(0)
        return BackboneArrays(np.zeros((2, 0)), z, z.copy(), z.copy())
    d = np.diff(pts, axis=0)
    lengths = np.hypot(d[:, 0], d[:, 1])
    ang = np.unwrap(np.arctan2(d[:, 1], d[:, 0]))
    s = np.concatenate([[0.0], np.cumsum(lengths)])
    mid = 0.5 * (s[:-1] + s[1:])
    return BackboneArrays(np.ascontiguousarray(pts.T), s, mid, np.ascontiguousarray(ang))


def nearest_arc_length(bb: BackboneArrays, x: float, y: float) -> float:
    """Arc length of the backbone point nearest to (x, y) (first segment on a tie)."""
    best_d, best_s = math.inf, 0.0
    for i in range(bb.ang.shape[0]):
        ax, ay = bb.xy[0, i], bb.xy[1, i]
        ex, ey = bb.xy[0, i + 1] - ax, bb.xy[1, i + 1] - ay
        ll = ex * ex + ey * ey
        t = min(max(((x - ax) * ex + (y - ay) * ey) / ll, 0.0), 1.0)
        px, py = ax + t * ex - x, ay + t * ey - y
        d = px * px + py * py
        if d < best_d:
            best_d, best_s = d, bb.s[i] + t * (bb.s[i + 1] - bb.s[i])
    return best_s


def tangent_rad(bb: BackboneArrays, s: float) -> float:
    """The smoothed tangent angle (radians, unwrapped) at arc length s."""
    n = bb.ang.shape[0]
    if s <= bb.mid[0]:
        return float(bb.ang[0])
    if s >= bb.mid[n - 1]:
        return float(bb.ang[n - 1])
    i = int(np.searchsorted(bb.mid, s, side="right")) - 1
    f = (s - bb.mid[i]) / (bb.mid[i + 1] - bb.mid[i])
    return float(bb.ang[i] + f * (bb.ang[i + 1] - bb.ang[i]))


def reference_deg(bb: BackboneArrays, x: float, y: float) -> float:
    """The reference direction at (x, y), degrees in [0, 360); 0 without a backbone."""
    if bb.ang.shape[0] == 0:
        return 0.0
    if bb.ang.shape[0] == 1:
        return math.degrees(float(bb.ang[0])) % 360.0
    return math.degrees(tangent_rad(bb, nearest_arc_length(bb, x, y))) % 360.0


