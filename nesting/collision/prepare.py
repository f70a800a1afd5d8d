"""Prepared shapes: polygons turned into the float64 arrays the kernels read (shapely side).

A :class:`PreparedShape` is made once per piece outline and reused for every query. It holds the
outline inflated for the gap, as structure-of-arrays (``xy`` float64[2, n], ``rings`` int64[r + 1],
``poles`` float64[3, p] = x, y, radius), in the piece's local coordinates, plus area, bbox and
convex hull. Poles are inscribed circles found one after another as the maximum inscribed circle of
what the previous ones left uncovered (shapely's ``maximum_inscribed_circle``), as jagua-rs builds
its surrogate (``geometry/fail_fast/sp_surrogate.rs``); they serve as fail-fast surrogate and as the
carriers of the overlap proxy.

Clearance arithmetic (gap g between pieces, margin m to the hide edge, holes, blocking zones and
strip edges; both >= 0; with an edge margin e and a defect margin d that differ, m = min(e, d) for
the piece and the stock takes the rest, see :func:`stock_margin`):

- every piece is inflated by g/2 when compared with other pieces: two inflated pieces that do not
  meet are at least g apart;
- against the stock a piece is inflated by ``s = min(g/2, m)``, and the stock is eroded (zones
  grown) by ``m - s >= 0``; disjoint means a clearance of at least s + (m - s) = m.

When m >= g/2 the two inflated outlines are the same object (``same`` True). When m < g/2 a piece
carries a second, smaller outline for the stock: eroding a zone by g/2 - m instead would be wrong,
since a thin defect could vanish.

Offsets are conservative: an inflated outline contains the true offset (clipped mitre joins, see
MITRE_LIMIT), and an eroded hide lies inside the true erosion (the hide minus a conservative buffer
of its boundary). Tests check both with shapely distances.

Imports shapely and numpy; never numba.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from leathernest.collision.records import Shape
from leathernest.collision.simplify import simplify_outward
from leathernest.model import Outline, Piece

# Offsets use mitre joins, clipped at MITRE_LIMIT times the distance: straight edges move by exactly
# the distance and a clipped mitre (limit >= 1) still contains the round corner of the true offset,
# with about two extra vertices per convex corner (round joins add four to eight and, to be
# conservative, would have to push every edge out by 1/cos(π/4q) - 1 = 2 % of the distance).
MITRE_LIMIT = 2.0
# Extra relative growth covering GEOS's input-line simplification and rounding: over 6000 random
# star polygons the mitre offset fell short of the distance by up to 6.7e-6 relative; with 1e-4 the
# worst case was 2.2e-5 beyond it (0.1 µm for a 1 mm half gap).
OFFSET_SAFETY = 1e-4
# Poles: at most this many per piece, stop when they cover this share of the area or the next one
# would be smaller than this share of the first one.
MAX_POLES = 6
POLE_COVERAGE = 0.85
MIN_POLE_FRAC = 0.1
# Poles are shrunk by this relative amount so that a pole is strictly inside its shape.
POLE_SHRINK = 1e-9


@dataclass(frozen=True, eq=False)
class ShapeArrays:
    """One polygon (or multipolygon) as kernel arrays, local coordinates."""

    xy: np.ndarray  # float64[2, n]: all rings one after another, no closing vertex
    rings: np.ndarray  # int64[r + 1]: ring k is xy[:, rings[k]:rings[k + 1]], outer rings first
    poles: np.ndarray  # float64[3, p]: x, y, radius of inscribed circles
    polygon: BaseGeometry  # the shapely geometry the arrays came from
    record: Shape = field(init=False)  # the whole arrays as the kernels take a shape

    def __post_init__(self) -> None:
        # The arrays stay writeable although nothing writes them: Numba types a read-only array
        # apart from a writeable one, and every kernel taking shapes from Python and from the
        # search's pools (and hazards from the engine) was compiled twice, seconds each.
        object.__setattr__(self, "record", Shape(self.xy, 0, int(self.xy.shape[1]), self.rings,
                                                 self.poles, 0, int(self.poles.shape[1])))

    @property
    def n_vertices(self) -> int:
        """Number of vertices over all rings."""
        return int(self.xy.shape[1])


@dataclass(frozen=True, eq=False)
class PreparedShape:
    """A piece ready for queries: inflated for pieces (``for_pieces``) and for the stock."""

    for_pieces: ShapeArrays
    for_stock: ShapeArrays
    area: float  # of the original outline, mm²
    bbox: tuple[float, float, float, float]  # of the original outline, local coordinates
    hull: np.ndarray  # float64[2, h], convex hull of the original outline (ccw)
    min_grade: int | None = None  # the piece's grade need, for the engine's default hazard filter

    @property
    def same(self) -> bool:
        """Whether the stock sees the same inflated outline as other pieces."""
        return self.for_pieces is self.for_stock


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """Non-empty polygons of a geometry (a difference may return a collection)."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if isinstance(geom, MultiPolygon):
        return [g for g in geom.geoms if not g.is_empty]
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]


def _conservative_distance(d: float) -> float:
    return d * (1.0 + OFFSET_SAFETY)


def inflate(geom: BaseGeometry, d: float) -> BaseGeometry:
    """An outward offset by d that contains the true offset (d <= 0 returns geom unchanged)."""
    if d <= 0:
        return geom
    return geom.buffer(_conservative_distance(d), join_style="mitre", mitre_limit=MITRE_LIMIT)


def erode(geom: BaseGeometry, d: float) -> BaseGeometry:
    """An inward offset by d that lies inside the true erosion (d <= 0 returns geom unchanged)."""
    if d <= 0:
        return geom
    band = geom.boundary.buffer(
        _conservative_distance(d), join_style="mitre", mitre_limit=MITRE_LIMIT
    )
    return geom.difference(band)


def poles_of(
    geom: BaseGeometry,
    max_poles: int = MAX_POLES,
    coverage: float = POLE_COVERAGE,
    min_frac: float = MIN_POLE_FRAC,
) -> np.ndarray:
    """Inscribed circles covering most of geom, largest first: float64[3, p] (x, y, r), p >= 1.

    Each pole is the maximum inscribed circle of the part not yet covered, so poles spread over the
    shape (jagua-rs ``generate_surrogate``; Sparrow's proxy wants area coverage).
    """
    parts = _polygons(geom)
    total = sum(p.area for p in parts)
    out: list[tuple[float, float, float]] = []
    remaining = shapely.union_all(parts)
    covered = 0.0
    while len(out) < max_poles and not remaining.is_empty:
        cands = []
        for part in _polygons(remaining):
            line = shapely.maximum_inscribed_circle(part)
            (cx, cy), _ = line.coords
            cands.append((line.length, cx, cy))
        if not cands:
            break
        r, cx, cy = max(cands)
        if r <= 0 or (out and r < min_frac * out[0][2]):
            break
        r *= 1.0 - POLE_SHRINK
        out.append((cx, cy, r))
        covered += math.pi * r * r
        if covered >= coverage * total:
            break
        remaining = remaining.difference(shapely.Point(cx, cy).buffer(r, quad_segs=8))
    return np.ascontiguousarray(np.array(out, dtype=np.float64).T.reshape(3, -1))


def shape_arrays(geom: BaseGeometry, poles: np.ndarray | None = None) -> ShapeArrays:
    """Split a polygon or multipolygon into kernel arrays (rings without their closing vertex)."""
    parts = _polygons(shapely.orient_polygons(geom))
    rings = []
    for p in parts:
        rings.append(np.asarray(p.exterior.coords)[:-1])
        rings.extend(np.asarray(h.coords)[:-1] for h in p.interiors)
    offsets = np.zeros(len(rings) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(r) for r in rings])
    xy = np.ascontiguousarray(np.concatenate(rings).T) if rings else np.zeros((2, 0))
    if poles is None:
        poles = poles_of(geom)
    return ShapeArrays(
        np.ascontiguousarray(xy, dtype=np.float64),
        offsets,
        np.ascontiguousarray(poles, dtype=np.float64),
        geom,
    )


def outline_polygon(outline: Outline) -> Polygon:
    """The outline as a shapely polygon."""
    return Polygon(outline.outer, list(outline.holes))


def stock_inflation(gap_mm: float, margin_mm: float) -> float:
    """How much a piece is inflated when compared with the stock: min(gap/2, margin)."""
    return min(gap_mm / 2.0, margin_mm)


def stock_margin(edge_margin_mm: float, defect_margin_mm: float) -> float:
    """The margin pieces are prepared with when the edge and defect margins differ: the smaller.

    The stock side then makes up the rest: the hide's edge is eroded by ``edge - s`` and holes and
    zones grown by ``defect - s`` (:func:`leathernest.collision.hazards.hide_hazards`), both >= 0.
    """
    return min(edge_margin_mm, defect_margin_mm)


def prepare(
    shape: Piece | Outline | Polygon,
    gap_mm: float = 0.0,
    margin_mm: float = 0.0,
    simplify_tol_mm: float = 0.0,
) -> PreparedShape:
    """Prepare a piece (or outline, or polygon) for queries with the given gap and margin.

    ``simplify_tol_mm`` > 0 first removes vertices conservatively (the outline only grows, by at
    most
    that distance; see :mod:`leathernest.collision.simplify`).
    """
    min_grade = shape.min_grade if isinstance(shape, Piece) else None
    if isinstance(shape, Piece):
        shape = shape.outline
    poly = outline_polygon(shape) if isinstance(shape, Outline) else shape
    base = poly
    if simplify_tol_mm > 0:
        base = simplify_outward(poly, simplify_tol_mm)
    half_gap = gap_mm / 2.0
    s = stock_inflation(gap_mm, margin_mm)
    for_pieces = shape_arrays(inflate(base, half_gap))
    for_stock = for_pieces if s == half_gap else shape_arrays(inflate(base, s))
    hull = np.asarray(poly.convex_hull.exterior.coords)[:-1].T
    return PreparedShape(
        for_pieces=for_pieces,
        for_stock=for_stock,
        area=float(poly.area),
        bbox=tuple(float(v) for v in poly.bounds),
        hull=np.ascontiguousarray(hull, dtype=np.float64),
        min_grade=min_grade,
    )
