"""From regions of the planar graph to pieces: safe polygons, features, names, the model piece.

The regions (outline and holes with true arcs) come from :mod:`leathernest.io.dxf_graph`. Here they
become polygons for nesting *safely* (see :mod:`leathernest.io.dxf_curves`): a piece's outline is
flattened so that it contains the true outline and every hole so that it lies inside the true
hole (a hide's the other way round); rings that follow flattened splines or turn at crossings are
widened by their error bound with a mitred band. Contours on feature layers, points and texts lying
on a piece become its features (marks, notches, punches, grain line), its name, size and quantity.

Imports shapely, numpy and the model; no ezdxf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

from leathernest.errors import InputError
from leathernest.io.dxf_curves import flatten_path, orient_path
from leathernest.io.dxf_entities import PointItem, TextItem
from leathernest.io.dxf_graph import Contour, Region
from leathernest.io.dxf_report import ImportReport
from leathernest.io.dxf_text import PieceText
from leathernest.model import CurvePath, Feature, FeatureKind, Grain, Outline, Piece


class Role(StrEnum):
    """What a layer's geometry is for."""

    CUT = "cut"  # piece outlines (closed rings; nested rings are holes)
    CUTOUT = "cutout"  # internal cut-outs: always holes of the piece around them
    PUNCH = "punch"  # drill holes and punches (rings or points), not subtracted
    NOTCH = "notch"
    MARK = "mark"  # internal lines, sew lines: drawn, not cut
    CREASE = "crease"
    GRAIN = "grain"
    MIRROR = "mirror"  # AAMA mirror (fold) line
    TEXT = "text"
    IGNORE = "ignore"


FEATURE_OF_ROLE = {
    Role.PUNCH: FeatureKind.PUNCH,
    Role.NOTCH: FeatureKind.NOTCH,
    Role.MARK: FeatureKind.MARK,
    Role.CREASE: FeatureKind.CREASE,
    Role.GRAIN: FeatureKind.GRAIN,
    Role.MIRROR: FeatureKind.MIRROR_LINE,
}


def _widen(poly, path: CurvePath, width: float, tol: float, grow: bool):
    """The polygon grown (or shrunk) by a band of ``width`` around the ring's on-curve line."""
    flat = flatten_path(path, tol, on_curve=True)
    line = LineString(np.vstack([flat, flat[:1]]))
    band = line.buffer(width, join_style="mitre", cap_style="square", mitre_limit=2.0)
    return poly.union(band) if grow else poly.difference(band)


def safe_ring(path: CurvePath, error: float, tol: float, grow: bool):
    """The ring's region as a polygon that contains (grow) or lies inside (shrink) the true one.

    ``path`` is counter-clockwise (material on its left); ``error`` is how far the path may lie
    from the drawn curve (flattened splines, crossings), and the polygon is widened by that much.
    """
    poly = Polygon(flatten_path(path, tol, grow=grow))
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    if error > 0.0:
        poly = _widen(poly, path, error, tol, grow)
    return poly


def region_polygon(region: Region, tol: float, grow: bool = True):
    """The safe polygon of a region: outline grown and holes shrunk (``grow``), or the reverse.

    Falls back to the on-curve polygon buffered by the flattening error when the safe rings do not
    form one polygon (which still contains, or lies inside, the true region).
    """
    outer, *holes = region.rings
    err_out, *err_holes = region.errors
    poly = safe_ring(outer, err_out, tol, grow)
    hole_polys = [
        safe_ring(orient_path(h, ccw=True), e, tol, not grow)
        for h, e in zip(holes, err_holes, strict=True)
    ]
    if hole_polys:
        poly = poly.difference(shapely.union_all(hole_polys))
    parts = [g for g in shapely.get_parts(poly) if isinstance(g, Polygon) and g.area > 0]
    if len(parts) == 1:
        return parts[0]
    margin = tol + max(region.errors)
    fallback = region.polygon.buffer(margin if grow else -margin, join_style="mitre")
    parts = [g for g in shapely.get_parts(fallback) if isinstance(g, Polygon) and g.area > 0]
    return max(parts, key=lambda g: g.area) if parts else None


@dataclass
class Found:
    """The piece text (name, size, quantity, grade, ...) and the features found on a region."""

    text: PieceText = field(default_factory=PieceText)
    features: list[Feature] = field(default_factory=list)
    grain_deg: float | None = None

    @property
    def name(self) -> str:
        """The piece name of the text, or ``""``."""
        return self.text.name

    @property
    def size(self) -> str:
        """The size of the text (graded files), or ``""``."""
        return self.text.size


def attach(
    regions: list[Region],
    contours: list[tuple[Contour, FeatureKind, bool]],
    points: list[PointItem],
    texts: list[TextItem],
    roles: dict[str, Role],
    tol: float,
    report: ImportReport,
    same_group: bool,
) -> list[Found]:
    """Give each region the feature contours, points and texts lying on it.

    A feature belongs to the smallest region it touches (of its own group in AAMA files, where
    graded sizes lie on top of each other); one that touches none is dropped. Contours flagged
    ``inside`` (lines left over on cut layers) belong to a region only when they lie within it.
    """
    found = [Found() for _ in regions]
    zones = [r.polygon.buffer(max(tol, 1e-6) * 2, join_style="mitre") for r in regions]
    tree = shapely.STRtree(zones)

    def owner(geom, group: int, inside: bool = False) -> int | None:
        if not regions:
            return None
        hits = [int(j) for j in tree.query(geom, predicate="within" if inside else "intersects")]
        if same_group:
            hits = [j for j in hits if regions[j].group == group]
        if not hits:
            return None
        return min(hits, key=lambda j: regions[j].polygon.area)

    for c, kind, inside in contours:
        pts = c.path.points
        geom = LineString(np.vstack([pts, pts[:1]]) if c.closed else pts) if len(pts) > 1 else (
            Point(pts[0])
        )
        k = owner(geom, c.group, inside)
        if k is None:
            continue
        found[k].features.append(Feature(kind, path=c.path, layer=c.layer))
        if kind is FeatureKind.GRAIN and found[k].grain_deg is None:
            d = pts[-1] - pts[0]
            if np.any(d != 0):
                found[k].grain_deg = math.degrees(math.atan2(d[1], d[0])) % 360.0
    for pt in points:
        role = roles[pt.layer]
        if role not in FEATURE_OF_ROLE:
            continue
        k = owner(Point(pt.at), pt.group)
        if k is not None:
            found[k].features.append(Feature(FEATURE_OF_ROLE[role], at=pt.at, layer=pt.layer))
    for t in texts:
        if roles[t.layer] is Role.IGNORE:
            continue
        k = owner(Point(t.at), t.group)
        if k is None:
            continue
        found[k].text.read(t.text, t.layer, t.handle, report)
        found[k].features.append(Feature(FeatureKind.TEXT, text=t.text, at=t.at, layer=t.layer))
    for f in found:
        f.text.check(f.grain_deg is not None, report)
    return found


def make_piece(
    pid: str,
    region: Region,
    found: Found,
    name: str,
    tol: float,
    product: str | None = None,
) -> Piece | None:
    """The model piece, its polygon safe (grown outline, shrunk holes); None when it has none."""
    poly = region_polygon(region, tol, grow=True)
    if poly is None:
        return None
    try:
        outline = Outline.of(
            np.asarray(poly.exterior.coords)[:-1],
            [np.asarray(i.coords)[:-1] for i in poly.interiors],
            what=f"piece {pid}",
        )
    except InputError:
        return None
    text = found.text
    grain = None
    if found.grain_deg is not None:
        grain = Grain(found.grain_deg)
        if text.grain_tol_deg is not None:
            grain = Grain(found.grain_deg, text.grain_tol_deg)
    return Piece(
        id=pid,
        outline=outline,
        name=name,
        demand=text.demand(),
        min_grade=text.min_grade,
        mirror=text.mirror,
        priority=text.priority,
        grain=grain,
        features=tuple(found.features),
        cut_paths=region.rings,
        product=product,
        size=text.size or None,
    )
