"""From chained contours to pieces: nesting of rings, holes, overlaps, features, names.

Closed rings on cut layers are sorted by area; a ring's parent is the smallest ring containing it.
Rings at even depth are piece outlines, rings at odd depth holes of their parent (a ring inside a
hole is a new piece). The same ring drawn twice is kept once; outlines that overlap or touch are
merged, because the knife frees their union. Open chains, points and texts lying on a piece become
its features (marks, notches, punches, grain line), its name and its quantity.

Safe polygons (see :mod:`leathernest.io.dxf_curves`): the outline is flattened so that it contains
the true outline and every hole so that it lies inside the true hole; flattened free-form curves
(splines, ellipses) are widened by the flattening tolerance with a mitred buffer, which contains
every point within that distance of the chords.

Imports shapely, numpy and the model; no ezdxf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from leathernest.errors import InputError
from leathernest.io.dxf_chain import Chain
from leathernest.io.dxf_curves import flatten_path, orient_path, path_signed_area
from leathernest.io.dxf_entities import PointItem, TextItem
from leathernest.io.dxf_report import ImportReport, IssueCode
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


_FEATURE_OF_ROLE = {
    Role.PUNCH: FeatureKind.PUNCH,
    Role.NOTCH: FeatureKind.NOTCH,
    Role.MARK: FeatureKind.MARK,
    Role.CREASE: FeatureKind.CREASE,
    Role.GRAIN: FeatureKind.GRAIN,
    Role.MIRROR: FeatureKind.MIRROR_LINE,
}


@dataclass(eq=False)
class _Ring:
    chain: Chain
    path: CurvePath  # counter-clockwise
    on_curve: Polygon  # vertices on the curve: for containment and validity
    area: float
    role: Role
    depth: int = 0
    parent: int = -1
    holes: list[int] = field(default_factory=list)


def _widen(poly: Polygon, path: CurvePath, tol: float, grow: bool):
    line = LineString(np.vstack([path.points, path.points[:1]]))
    band = line.buffer(tol, join_style="mitre", cap_style="square", mitre_limit=2.0)
    return poly.union(band) if grow else poly.difference(band)


def safe_polygon(chain: Chain, path: CurvePath, tol: float, grow: bool):
    """The ring's region as a polygon that contains (grow) or lies inside (shrink) the true one."""
    pts = flatten_path(path, tol, grow=grow)
    poly = Polygon(pts)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    if chain.freeform:
        poly = _widen(poly, path, tol, grow)
    return poly


def _on_curve(path: CurvePath, tol: float) -> Polygon:
    return Polygon(flatten_path(path, tol, on_curve=True))


def build_rings(chains: list[Chain], roles: dict[str, Role], tol: float, report: ImportReport):
    """Closed cut/cut-out chains as rings (valid, non-degenerate), largest first."""
    rings: list[_Ring] = []
    for ch in chains:
        role = roles[ch.layer]
        if not ch.closed or role not in (Role.CUT, Role.CUTOUT):
            continue
        if len(ch.path.points) < 3 and not np.any(ch.path.bulges):
            continue
        if not _on_curve(ch.path, tol).is_valid:
            report.add(
                IssueCode.SELF_INTERSECTION,
                "closed contour crosses itself; left out",
                ch.layer,
                ch.handles,
            )
            continue
        if abs(path_signed_area(ch.path)) <= 1e-9:
            report.add(IssueCode.DEGENERATE, "closed contour has no area", ch.layer, ch.handles)
            continue
        path = orient_path(ch.path, ccw=True)
        poly = _on_curve(path, tol)
        rings.append(_Ring(ch, path, poly, float(poly.area), role))
    rings.sort(key=lambda r: -r.area)
    return rings


def nest_rings(rings: list[_Ring], eps: float, report: ImportReport) -> list[_Ring]:
    """Set parent and depth of each ring; drops duplicates. Returns the kept rings."""
    if not rings:
        return []
    grown = [r.on_curve.buffer(eps, join_style="mitre") for r in rings]
    tree = shapely.STRtree(grown)
    kept: list[_Ring] = []
    index_of: dict[int, int] = {}
    for i, ring in enumerate(rings):
        cands = [int(j) for j in tree.query(ring.on_curve, predicate="within") if j < i]
        cands = [j for j in cands if j in index_of]
        dup = [j for j in cands if rings[j].on_curve.within(grown[i])]
        if dup:
            report.add(
                IssueCode.DUPLICATE_CONTOUR,
                "contour drawn twice; one copy kept",
                ring.chain.layer,
                ring.chain.handles,
            )
            continue
        if cands:
            parent = min(cands, key=lambda j: rings[j].area)
            ring.parent = index_of[parent]
            ring.depth = kept[ring.parent].depth + 1
        index_of[i] = len(kept)
        kept.append(ring)
    return kept


def _ring_region(ring: _Ring, tol: float, grow: bool):
    return safe_polygon(ring.chain, ring.path, tol, grow)


@dataclass
class Region:
    """A piece's shape before features are attached."""

    polygon: Polygon
    cut_paths: tuple[CurvePath, ...]
    handles: tuple[str, ...]
    layer: str
    group: int


def regions_from_rings(rings: list[_Ring], tol: float, report: ImportReport) -> list[Region]:
    """Outer rings with their holes as safe polygons; overlapping outlines merged."""
    outers: list[int] = []
    for k, r in enumerate(rings):
        is_hole = r.parent >= 0 and rings[r.parent].depth % 2 == 0 and r.depth % 2 == 1
        if r.role is Role.CUTOUT and r.parent >= 0:
            is_hole = rings[r.parent].depth % 2 == 0
        if is_hole:
            rings[r.parent].holes.append(k)
        elif r.role is Role.CUTOUT:
            report.add(
                IssueCode.ORPHAN_FEATURE,
                "cut-out outside every piece",
                r.chain.layer,
                r.chain.handles,
            )
        else:
            outers.append(k)
    shapes = []
    for k in outers:
        r = rings[k]
        poly = _ring_region(r, tol, True)
        hole_polys = [_ring_region(rings[h], tol, False) for h in r.holes]
        if hole_polys:
            poly = poly.difference(shapely.union_all(hole_polys))
        paths = (r.path, *(orient_path(rings[h].path, ccw=False) for h in r.holes))
        shapes.append((poly, paths, r))
    return _merge_overlaps(shapes, report)


def _merge_overlaps(shapes, report: ImportReport) -> list[Region]:
    n = len(shapes)
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    if n > 1:
        tree = shapely.STRtree([s[0] for s in shapes])
        for i, (poly, _, _) in enumerate(shapes):
            for j in tree.query(poly, predicate="intersects"):
                if int(j) > i:
                    parent[find(int(j))] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out: list[Region] = []
    for members in groups.values():
        rs = [shapes[i][2] for i in members]
        handles = tuple(h for r in rs for h in r.chain.handles)
        if len(members) == 1:
            poly, paths, _r = shapes[members[0]]
            geoms, cut_paths = [poly], paths
        else:
            report.add(
                IssueCode.OVERLAPPING_OUTLINES,
                f"{len(members)} outlines overlap or touch; merged into one piece",
                rs[0].chain.layer,
                handles,
            )
            geoms, cut_paths = [shapely.union_all([shapes[i][0] for i in members])], ()
        for g in geoms:
            parts = list(g.geoms) if isinstance(g, MultiPolygon) else [g]
            parts = [p for p in parts if isinstance(p, Polygon) and p.area > 0]
            for p in parts:
                cp = cut_paths if len(parts) == 1 else ()
                out.append(Region(p, cp, handles, rs[0].chain.layer, rs[0].chain.group))
    return out


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
    chains: list[Chain],
    points: list[PointItem],
    texts: list[TextItem],
    roles: dict[str, Role],
    tol: float,
    report: ImportReport,
    same_group: bool,
) -> list[Found]:
    """Give each region the open chains, feature rings, points and texts lying on it."""
    found = [Found() for _ in regions]
    zones = [r.polygon.buffer(max(tol, 1e-6) * 2, join_style="mitre") for r in regions]
    tree = shapely.STRtree(zones)

    def owner(geom, group: int) -> int | None:
        if not regions:
            return None
        hits = [int(j) for j in tree.query(geom, predicate="intersects")]
        if same_group:
            hits = [j for j in hits if regions[j].group == group]
        if not hits:
            return None
        return min(hits, key=lambda j: regions[j].polygon.area)

    for ch in chains:
        role = roles[ch.layer]
        if role in (Role.IGNORE, Role.TEXT) or (ch.closed and role in (Role.CUT, Role.CUTOUT)):
            continue
        geom = LineString(
            np.vstack([ch.path.points, ch.path.points[:1]]) if ch.closed else ch.path.points
        )
        k = owner(geom, ch.group)
        if role is Role.CUT:
            report.add(
                IssueCode.OPEN_CONTOUR,
                f"open contour (gap {ch.gap:.3g} mm) left out of the outlines",
                ch.layer,
                ch.handles,
            )
            kind = FeatureKind.MARK
        elif role is Role.CUTOUT:
            report.add(
                IssueCode.OPEN_CONTOUR, f"open cut-out (gap {ch.gap:.3g} mm)", ch.layer, ch.handles
            )
            kind = FeatureKind.MARK
        else:
            kind = _FEATURE_OF_ROLE[role]
        if k is None:
            continue
        found[k].features.append(Feature(kind, path=ch.path, layer=ch.layer))
        if kind is FeatureKind.GRAIN and found[k].grain_deg is None:
            d = ch.path.points[-1] - ch.path.points[0]
            if np.any(d != 0):
                found[k].grain_deg = math.degrees(math.atan2(d[1], d[0])) % 360.0
    for pt in points:
        role = roles[pt.layer]
        if role not in _FEATURE_OF_ROLE:
            continue
        k = owner(Point(pt.at), pt.group)
        if k is not None:
            found[k].features.append(Feature(_FEATURE_OF_ROLE[role], at=pt.at, layer=pt.layer))
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


def make_piece(pid: str, region: Region, found: Found, name: str, path: str) -> Piece | None:
    """The model piece; None when shapely's region cannot form a valid outline."""
    poly = region.polygon
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
        cut_paths=tuple(region.cut_paths),
    )
