"""Drawing helpers for the pattern library: rounded rectangles, slots and bulge arithmetic.

Paths are :class:`leathernest.model.CurvePath` values with DXF LWPOLYLINE bulges (tan of a quarter
of the arc's included angle, positive counter-clockwise), so a rounded corner is one exact arc in
the DXF and in a job's ``cut_paths``. :func:`flatten` turns a path into the polygon the nester uses.

Imports numpy and the model only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from leathernest.model import CurvePath

# Bulge of a quarter circle (90° arc): tan(90° / 4).
QUARTER = math.tan(math.pi / 8)

# Largest distance between an arc and the chords that replace it when flattening, mm. Far below a
# knife's precision (about 0.1 mm) and far below the 1-3 mm gap kept between pieces.
FLATTEN_TOL_MM = 0.05

Vertex = tuple[float, float, float]  # x, y, bulge of the segment that starts here


def path(vertices: Sequence[Vertex], closed: bool = True) -> CurvePath:
    """A CurvePath from (x, y, bulge) triples."""
    arr = np.array(vertices, dtype=np.float64)
    return CurvePath(arr[:, :2].copy(), arr[:, 2].copy(), closed)


def rounded_rect(
    w: float, h: float, r: float | Sequence[float], x0: float = 0.0, y0: float = 0.0
) -> CurvePath:
    """A ccw rectangle with corner radii (bottom-left, bottom-right, top-right, top-left).

    A radius of 0 gives a sharp corner. The path starts where the bottom edge meets the bottom-right
    corner.
    """
    rr = [float(r)] * 4 if isinstance(r, int | float) else [float(v) for v in r]
    bl, br, tr, tl = rr
    v: list[Vertex] = []

    def corner(px: float, py: float, qx: float, qy: float, rad: float) -> None:
        if rad > 0:
            v.append((px, py, QUARTER))
            v.append((qx, qy, 0.0))
        else:
            v.append((px, py, 0.0))

    # bottom edge left to right, then right edge up, top edge right to left, left edge down
    corner(x0 + w - br, y0, x0 + w, y0 + br, br)
    corner(x0 + w, y0 + h - tr, x0 + w - tr, y0 + h, tr)
    corner(x0 + tl, y0 + h, x0, y0 + h - tl, tl)
    corner(x0, y0 + bl, x0 + bl, y0, bl)
    return path(v)


def slot(cx: float, cy: float, length: float, width: float) -> CurvePath:
    """An oblong slot along x (two semicircles joined by straight sides), counter-clockwise."""
    r = width / 2
    a = length / 2 - r
    return path([(cx - a, cy - r, 0.0), (cx + a, cy - r, 1.0), (cx + a, cy + r, 0.0),
                 (cx - a, cy + r, 1.0)])


def _arc_points(p0: np.ndarray, p1: np.ndarray, bulge: float, tol: float) -> np.ndarray:
    """Interior points of the arc from p0 to p1 with ``bulge`` (p0 and p1 excluded)."""
    theta = 4.0 * math.atan(bulge)  # included angle, signed (ccw positive)
    chord = float(np.hypot(*(p1 - p0)))
    if chord == 0.0:
        return np.empty((0, 2))
    radius = chord / (2.0 * abs(math.sin(theta / 2.0)))
    # centre: from the chord's midpoint, along its left normal for ccw arcs below 180°
    mid = (p0 + p1) / 2.0
    normal = np.array([-(p1 - p0)[1], (p1 - p0)[0]]) / chord
    d = radius * math.cos(theta / 2.0) * (1 if theta > 0 else -1)
    centre = mid + normal * d
    step = 2.0 * math.acos(max(-1.0, 1.0 - tol / radius)) if radius > tol else math.pi / 2
    n = max(2, math.ceil(abs(theta) / step))
    a0 = math.atan2(p0[1] - centre[1], p0[0] - centre[0])
    angles = a0 + theta * np.arange(1, n) / n
    return np.column_stack([centre[0] + radius * np.cos(angles),
                            centre[1] + radius * np.sin(angles)])


def flatten(cp: CurvePath, tol: float = FLATTEN_TOL_MM) -> np.ndarray:
    """The path as a polyline (float64 (n, 2)); arcs become chords within ``tol`` mm.

    Chords cut the inside of convex arcs by at most ``tol``, well inside any gap a job keeps.
    """
    pts = cp.points
    n = len(pts)
    out: list[np.ndarray] = []
    last = n if cp.closed else n - 1
    for i in range(last):
        p0, p1 = pts[i], pts[(i + 1) % n]
        out.append(p0[None, :])
        if cp.bulges[i] != 0.0:
            out.append(_arc_points(p0, p1, float(cp.bulges[i]), tol))
    if not cp.closed:
        out.append(pts[-1][None, :])
    return np.vstack(out)
