"""Conservative simplification: fewer vertices; pieces and defects only grow, the hide only shrinks.

A vertex b between neighbours a and c can be dropped when the chord a-c moves the boundary only
outward (for growing: b is a reflex corner, the triangle abc is added to the material) or only
inward (for shrinking: b is a convex corner, the triangle is cut off), and b lies within the
tolerance of the chord. This is jagua-rs's ``ShapeModifyMode::Inflate`` / ``Deflate`` idea
(``geometry/shape_modification.rs``) in its simplest form. Rings are taken with the material on
their left (outer rings counter-clockwise, holes clockwise), so one rule serves both.

Passes remove an independent set of vertices (no two neighbours) at a time, with numpy. The result
is checked with shapely (valid, contains or is contained by the original, Hausdorff distance within
the tolerance, measured vertex by vertex against the prepared boundary); on failure the tolerance
is halved, and after three failures the original is kept.

Imports numpy and shapely; never numba.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

MAX_TRIES = 3


def _simplify_ring(ring: np.ndarray, tol: float, grow: bool) -> np.ndarray:
    """Drop vertices of a ring (material on the left, float64 (n, 2), not closed) conservatively."""
    pts = ring
    while len(pts) > 3:
        a = np.roll(pts, 1, axis=0)
        c = np.roll(pts, -1, axis=0)
        ab = pts - a
        bc = c - pts
        cross = ab[:, 0] * bc[:, 1] - ab[:, 1] * bc[:, 0]
        ac = c - a
        length = np.hypot(ac[:, 0], ac[:, 1])
        dist = np.abs(cross) / np.where(length > 0, length, np.inf)
        ok = (cross < 0) if grow else (cross > 0)
        ok &= (dist <= tol) & (length > 0)
        if not ok.any():
            break
        # an independent set: take candidates in order of deviation, skipping neighbours
        order = np.argsort(np.where(ok, dist, np.inf))
        taken = np.zeros(len(pts), dtype=bool)
        blocked = np.zeros(len(pts), dtype=bool)
        budget = len(pts) - 3
        for i in order:
            if not ok[i] or budget == 0:
                break
            if blocked[i]:
                continue
            taken[i] = True
            budget -= 1
            blocked[i] = blocked[(i - 1) % len(pts)] = blocked[(i + 1) % len(pts)] = True
        pts = pts[~taken]
    return pts


def _simplify_polygon(poly: Polygon, tol: float, grow: bool) -> Polygon:
    poly = shapely.orient_polygons(poly)
    ext = _simplify_ring(np.asarray(poly.exterior.coords)[:-1], tol, grow)
    holes = [_simplify_ring(np.asarray(h.coords)[:-1], tol, grow) for h in poly.interiors]
    return Polygon(ext, holes)


def _within(out: BaseGeometry, geom: BaseGeometry, tol: float) -> bool:
    """Whether the (discrete) Hausdorff distance of the boundaries is at most ``tol``.

    ``out`` keeps a subset of ``geom``'s vertices, so that distance is the largest distance from a
    vertex of ``geom`` to ``out``'s boundary; asked of the prepared boundary, it costs n log n where
    ``shapely.hausdorff_distance`` costs n x m (a piece of 60,000 holes took minutes).
    """
    edge = out.boundary
    shapely.prepare(edge)
    return bool(shapely.dwithin(edge, shapely.points(shapely.get_coordinates(geom)), tol).all())


def _simplify(geom: BaseGeometry, tol: float, grow: bool) -> BaseGeometry:
    if tol <= 0 or geom.is_empty:
        return geom
    for attempt in range(MAX_TRIES):
        t = tol / (2**attempt)
        parts = [_simplify_polygon(p, t, grow) for p in shapely.get_parts(geom)]
        out = parts[0] if len(parts) == 1 else MultiPolygon(parts)
        if not out.is_valid:
            continue
        if grow and not out.covers(geom):
            continue
        if not grow and not geom.covers(out):
            continue
        if not _within(out, geom, tol):
            continue
        return out
    return geom


def simplify_outward(geom: BaseGeometry, tol_mm: float) -> BaseGeometry:
    """Fewer vertices, never smaller (pieces, defects, zones): the result covers geom."""
    return _simplify(geom, tol_mm, grow=True)


def simplify_inward(geom: BaseGeometry, tol_mm: float) -> BaseGeometry:
    """Fewer vertices, never larger (the usable hide): geom covers the result."""
    return _simplify(geom, tol_mm, grow=False)
