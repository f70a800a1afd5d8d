"""Bulge-path arithmetic for DXF import and export: areas, reversal, placement, safe flattening.

A :class:`~leathernest.model.CurvePath` stores a contour as vertices plus one bulge per segment
(``tan(theta/4)`` of the arc's included angle, positive counter-clockwise: the LWPOLYLINE
convention). This module keeps those true arcs exact through every operation that export needs, and
turns them into polygons for nesting *conservatively*: the polygon never loses material.

The rule used for flattening: orient the ring so the material lies on its left (outer rings
counter-clockwise, holes clockwise, the model's convention). A segment with a positive bulge then
curves away from the material (its centre is on the material side), so the chords of an inscribed
polygon would cut material off; it is replaced by a circumscribed (tangent) polygon, whose vertices
lie at ``r / cos(phi/2)`` from the centre. A negative bulge curves into the material and its
inscribed chords already lie outside the material. Shrinking (a hide's edge) swaps the two cases.

Imports numpy and the model only; no ezdxf, no shapely.
"""

from __future__ import annotations

import math

import numpy as np

from leathernest.geometry.transform import place_points
from leathernest.model import CurvePath

# Largest sub-arc angle of a flattened arc, radians. The circumscribed polygon's vertices lie at
# r / cos(phi / 2) from the centre; at pi/2 that is 1.41 r, so even a coarse tolerance on a tiny
# hole cannot throw a vertex far away.
MAX_SUBARC_RAD = math.pi / 2
# The chord tolerance is never finer than this share of the radius: a circle of any size gets at
# most a few thousand vertices (the tolerance only matters above 50 m of radius at 0.05 mm).
MIN_REL_TOL = 1e-6


def arc_geometry(p0: np.ndarray, p1: np.ndarray, bulge: float) -> tuple[np.ndarray, float, float]:
    """Centre, radius and signed included angle (radians, ccw positive) of a bulge segment."""
    theta = 4.0 * math.atan(bulge)
    chord = p1 - p0
    c = math.hypot(chord[0], chord[1])
    r = c / (2.0 * abs(math.sin(theta / 2.0)))
    # The centre lies on the chord's perpendicular bisector, on the left for a ccw arc of < 180°.
    mid = (p0 + p1) / 2.0
    normal = np.array([-chord[1], chord[0]]) / c
    d = r * math.cos(theta / 2.0) * (1.0 if theta > 0 else -1.0)
    return mid + normal * d, r, theta


def segment_count(radius: float, theta: float, tol: float) -> int:
    """Sub-arcs needed so each sub-arc's sagitta (and tangent overshoot) stays within ``tol``.

    ``tol`` is raised to :data:`MIN_REL_TOL` of the radius; flattening stays conservative at any
    tolerance (see :func:`flatten_path`), only coarser.
    """
    tol = max(tol, MIN_REL_TOL * radius)
    if radius <= tol:
        step = MAX_SUBARC_RAD
    else:
        step = min(MAX_SUBARC_RAD, 2.0 * math.acos(1.0 - tol / radius))
    return max(1, math.ceil(abs(theta) / step - 1e-9))


def path_signed_area(path: CurvePath) -> float:
    """Exact signed area of a closed bulge path (chord polygon plus circular segments)."""
    pts = path.points
    nxt = np.concatenate([pts[1:], pts[:1]])
    area = 0.5 * float(np.sum(pts[:, 0] * nxt[:, 1] - nxt[:, 0] * pts[:, 1]))
    for i in np.flatnonzero(path.bulges).tolist():
        b = float(path.bulges[i])
        c = float(np.hypot(*(nxt[i] - pts[i])))
        if c == 0.0:
            continue
        theta = 4.0 * math.atan(b)
        r = c / (2.0 * abs(math.sin(theta / 2.0)))
        area += 0.5 * r * r * (theta - math.sin(theta))
    return area


def reverse_path(path: CurvePath) -> CurvePath:
    """The same contour traversed backwards: bulges move to the reversed segment and flip sign."""
    pts = path.points[::-1].copy()
    n = len(pts)
    if path.closed:
        # Segment i (p_i -> p_i+1) becomes the segment from new index n-1-(i+1) to n-1-i.
        bulges = -np.roll(path.bulges[::-1], -1)
    else:
        bulges = np.zeros(n)
        bulges[: n - 1] = -path.bulges[: n - 1][::-1]
    return CurvePath(pts, bulges.astype(np.float64), path.closed)


def orient_path(path: CurvePath, ccw: bool) -> CurvePath:
    """The closed path turned counter-clockwise (``ccw``) or clockwise."""
    return path if (path_signed_area(path) > 0) == ccw else reverse_path(path)


def start_at(path: CurvePath, index: int) -> CurvePath:
    """A closed path rotated so that vertex ``index`` is its start (the knife's entry point)."""
    if not path.closed or index == 0:
        return path
    return CurvePath(
        np.roll(path.points, -index, axis=0), np.roll(path.bulges, -index), path.closed
    )


def place_path(path: CurvePath, rotation_deg: float, mirrored: bool, x: float, y: float):
    """Apply a placement exactly: vertices move, a mirror flips every bulge's sign.

    Rotation and translation keep arcs congruent, so the bulge (a ratio) is unchanged; a mirror
    reverses the sense of every arc. The order of operations is the one of
    :func:`leathernest.geometry.transform.place_points` (mirror x -> -x, rotate ccw, translate).
    """
    pts = place_points(path.points, rotation_deg, mirrored, x, y)
    bulges = -path.bulges if mirrored else path.bulges.copy()
    return CurvePath(pts, np.asarray(bulges, dtype=np.float64), path.closed)


def flatten_path(
    path: CurvePath, tol: float, grow: bool = True, on_curve: bool = False
) -> np.ndarray:
    """Vertices of a polygon for the path: closed paths conservatively, open ones on the curve.

    Parameters
    ----------
    path
        Closed paths must have the material on their left (see the module docstring); open paths
        are flattened with points on the arc (used for marks, never for feasibility).
    tol
        Largest distance, in the path's units, between a flattened edge and the true arc.
    grow
        True: the polygon contains the material (pieces, defects). False: the polygon lies inside
        it (the edge of a hide).
    on_curve
        Put every vertex on the curve (inscribed chords), for validity and containment tests.
    """
    pts = path.points
    n = len(pts)
    n_seg = n if path.closed else n - 1
    arcs = np.flatnonzero(path.bulges[:n_seg]).tolist()
    if not arcs:
        return np.array(pts, dtype=np.float64).reshape(-1, 2)
    out: list[np.ndarray] = []
    last = 0  # vertices before ``last`` are in ``out``
    for i in arcs:
        p0 = pts[i]
        p1 = pts[(i + 1) % n]
        out.append(pts[last : i + 1])
        last = i + 1
        if not np.any(p0 != p1):
            continue
        b = float(path.bulges[i])
        centre, r, theta = arc_geometry(p0, p1, b)
        k = segment_count(r, theta, tol)
        phi = theta / k
        a0 = math.atan2(p0[1] - centre[1], p0[0] - centre[0])
        circumscribe = path.closed and not on_curve and ((b > 0) == grow)
        if circumscribe:
            angles = a0 + phi * (np.arange(k) + 0.5)
            radius = r / math.cos(phi / 2.0)
        else:
            angles = a0 + phi * np.arange(1, k)
            radius = r
        out.append(centre + radius * np.column_stack([np.cos(angles), np.sin(angles)]))
    out.append(pts[last:])
    return np.vstack(out).astype(np.float64, copy=False).reshape(-1, 2)


def is_full_circle(path: CurvePath) -> tuple[np.ndarray, float] | None:
    """Centre and radius when the path is a circle written as two half arcs, else None."""
    if not path.closed or len(path.points) != 2:
        return None
    b = path.bulges
    if not (abs(abs(b[0]) - 1.0) < 1e-9 and abs(b[1] - b[0]) < 1e-9):
        return None
    centre = (path.points[0] + path.points[1]) / 2.0
    return centre, float(np.hypot(*(path.points[1] - path.points[0]))) / 2.0
