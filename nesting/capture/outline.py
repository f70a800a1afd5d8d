"""From pixels to millimetres: sub-pixel contours, the conservative outline, the backbone.

Why conservative: a piece cut over the edge of the leather is scrap, a millimetre of leather left
unused is not. The outline is therefore only ever *shrunk* from the detected edge: an opening (which
removes hair, frayed bits and noise narrower than twice its radius and never adds area) of the edge
moved inwards by the simplification tolerance, then simplified by that tolerance, so that the
simplified ring stays within the detected leather (Douglas-Peucker keeps a ring within its tolerance
of the original, both ways).
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from skimage.measure import find_contours


def apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Points (n, 2) through the 3 x 3 projective map ``m``."""
    h = np.column_stack([pts, np.ones(len(pts))]) @ m.T
    return h[:, :2] / h[:, 2:3]


def rings(field: np.ndarray, level: float, origin: tuple[int, int], f: int) -> list[np.ndarray]:
    """Closed sub-pixel contours of ``field`` at ``level``, in full-picture pixels (x, y).

    ``field`` is a crop of the working picture starting at ``origin`` (row, col), which is the
    full picture shrunk by ``f``; a working pixel (r, c) covers full pixels [c f, (c + 1) f).
    """
    padded = np.pad(field, 1, constant_values=min(float(field.min()), level - 1.0))
    out = []
    for c in find_contours(padded, level):
        if len(c) < 4 or not np.allclose(c[0], c[-1]):
            continue
        yx = c - 1 + np.array(origin) + 0.5
        out.append(yx[:, ::-1] * f)
    return out


def largest(geom: BaseGeometry) -> Polygon:
    """The largest polygon of a shapely result (an empty polygon when there is none)."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and not g.is_empty]
    return max(parts, key=lambda p: p.area) if parts else Polygon()


def polygon(ring_mm: np.ndarray) -> Polygon:
    """A valid polygon from a contour ring (a contour that touches itself is repaired)."""
    p = Polygon(ring_mm)
    return p if p.is_valid else largest(shapely.make_valid(p).buffer(0))


def conservative(raw: Polygon, smooth_mm: float, tol_mm: float) -> Polygon:
    """The outline shrunk and simplified, never reaching past ``raw`` (module docstring)."""
    eroded = raw.buffer(-(smooth_mm + tol_mm), quad_segs=4)
    opened = largest(eroded.buffer(smooth_mm, quad_segs=4))
    simple = largest(shapely.make_valid(opened.simplify(tol_mm, preserve_topology=True)))
    if not raw.contains(simple):  # round-off only; the construction keeps it inside
        simple = largest(simple.intersection(raw))
    return shapely.orient_polygons(simple)


def grown(regions: list[Polygon], margin_mm: float, within: Polygon,
          tol_mm: float) -> list[Polygon]:
    """Marked regions grown by the safety margin, merged where they meet, clipped to the hide."""
    if not regions:
        return []
    merged = shapely.union_all([r.buffer(margin_mm, quad_segs=4) for r in regions])
    merged = merged.intersection(within).simplify(tol_mm, preserve_topology=True)
    parts = merged.geoms if isinstance(merged, MultiPolygon) else [merged]
    return [shapely.orient_polygons(p) for p in parts
            if isinstance(p, Polygon) and p.area > 4 * tol_mm * tol_mm]


# -------------------------------------------------------------------------------------------------
# Backbone


def _chord(hide: Polygon, centre: np.ndarray, direction: np.ndarray, inset: float) -> np.ndarray:
    """The longest stretch of the line through ``centre`` inside the hide, ends moved in."""
    reach = 2.0 * float(np.ptp(np.asarray(hide.exterior.coords), axis=0).max())
    line = LineString([centre - reach * direction, centre + reach * direction])
    inside = line.intersection(hide)
    pieces = [g for g in getattr(inside, "geoms", [inside]) if isinstance(g, LineString)]
    if not pieces:
        return np.array([centre - direction, centre + direction])
    a, b = np.asarray(max(pieces, key=lambda g: g.length).coords)[[0, -1]]
    d = b - a
    return np.array([a + inset * d, b - inset * d])


def principal_axis(hide: Polygon) -> tuple[np.ndarray, np.ndarray]:
    """Centroid and unit direction of the hide's long axis (second moments of the area)."""
    pts = np.asarray(hide.exterior.coords)[:-1]
    c = np.array(hide.centroid.coords[0])
    x, y = (pts - c).T
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    ixx = np.sum((y * y + y * yn + yn * yn) * cross) / 12
    iyy = np.sum((x * x + x * xn + xn * xn) * cross) / 12
    ixy = np.sum((x * yn + 2 * x * y + 2 * xn * yn + xn * y) * cross) / 24
    cov = np.array([[iyy, ixy], [ixy, ixx]])  # second moments about x-spread and y-spread
    w, v = np.linalg.eigh(cov)
    u = v[:, int(np.argmax(np.abs(w)))]
    return c, u / np.hypot(*u)


def _mirror_iou(hide: Polygon, c: np.ndarray, angle: float) -> float:
    """IoU of the hide and its mirror image across the line through ``c`` at ``angle``."""
    moved = affinity.rotate(affinity.translate(hide, -c[0], -c[1]), -angle, origin=(0, 0),
                            use_radians=True)
    mirrored = affinity.scale(moved, 1.0, -1.0, origin=(0, 0))
    inter = moved.intersection(mirrored).area
    return inter / (2 * moved.area - inter)


def symmetry_axis(hide: Polygon) -> np.ndarray:
    """The hide's mirror axis as a backbone: the long axis turned and shifted to fit best.

    Starts from the principal axis and searches angle (±12°) and offset (±8 % of the width) for the
    line across which the hide best matches its own mirror image, coarse then fine.
    """
    simple = hide.simplify(0.003 * math.sqrt(hide.area))
    c0, u = principal_axis(simple)
    normal = np.array([-u[1], u[0]])
    width = float(np.ptp((np.asarray(simple.exterior.coords) - c0) @ normal))
    best = (math.atan2(u[1], u[0]), 0.0)
    for da, do in ((math.radians(3.0), 0.02 * width), (math.radians(0.75), 0.005 * width)):
        angle0, off0 = best
        cands = [(angle0 + i * da, off0 + j * do) for i in range(-4, 5) for j in range(-4, 5)]
        best = max(cands, key=lambda ao: _mirror_iou(
            simple, c0 + ao[1] * np.array([-math.sin(ao[0]), math.cos(ao[0])]), ao[0]))
    angle, off = best
    direction = np.array([math.cos(angle), math.sin(angle)])
    centre = c0 + off * np.array([-direction[1], direction[0]])
    return _chord(hide, centre, direction, 0.03)


def straight_edge(hide: Polygon, min_share: float = 0.6) -> np.ndarray | None:
    """The straight cut edge of a side (half hide), when the outline has one; else None.

    A side is cut along the backbone [S21]: its outline has one straight edge on its convex hull
    running most of its length (``min_share`` of the extent along the principal axis).
    """
    c, u = principal_axis(hide)
    extent = float(np.ptp((np.asarray(hide.exterior.coords) - c) @ u))
    hull = hide.convex_hull.simplify(0.004 * extent)
    pts = np.asarray(hull.exterior.coords)
    seg = np.diff(pts, axis=0)
    lengths = np.hypot(*seg.T)
    k = int(np.argmax(lengths))
    if lengths[k] < min_share * extent:
        return None
    a, b = pts[k], pts[k + 1]
    edge = LineString([a, b])
    near = hide.exterior.intersection(edge.buffer(0.004 * extent))
    if near.length < 0.9 * edge.length:  # the hull bridges a gap: not an edge of the leather
        return None
    return np.array([a, b])


def marked_line(points_mm: np.ndarray, hide: Polygon) -> np.ndarray | None:
    """A polyline through the pixels of a marked backbone line (maybe dashed), clipped to the hide.

    The points are ordered along their principal direction and binned; each bin contributes the
    median offset across it, which follows a gently curved line and ignores stray pixels.
    """
    if len(points_mm) < 10:
        return None
    c = points_mm.mean(axis=0)
    _u, _s, vt = np.linalg.svd(points_mm - c, full_matrices=False)
    u = vt[0]
    n = np.array([-u[1], u[0]])
    t = (points_mm - c) @ u
    off = (points_mm - c) @ n
    t0, t1 = float(t.min()), float(t.max())
    bins = int(np.clip((t1 - t0) / 60.0, 2, 24))
    edges = np.linspace(t0, t1, bins + 1)
    which = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, bins - 1)
    ts, offs = [], []
    for k in range(bins):
        sel = which == k
        if sel.sum() >= 3:
            ts.append(float(np.median(t[sel])))
            offs.append(float(np.median(off[sel])))
    if len(ts) < 2:
        return None
    ts[0], ts[-1] = t0, t1
    line = LineString(c + np.outer(ts, u) + np.outer(offs, n))
    inside = line.intersection(hide)
    pieces = [g for g in getattr(inside, "geoms", [inside]) if isinstance(g, LineString)]
    if not pieces:
        return None
    return np.asarray(max(pieces, key=lambda g: g.length).coords)
