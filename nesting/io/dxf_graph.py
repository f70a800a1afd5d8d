"""Contours of any drawing as a planar graph: noding, faces, outlines with holes, leftovers.

CAD and CAM files draw outlines as closed polylines, as "soups" of LINEs and ARCs whose ends meet
only up to rounding, with every entity drawn twice, with construction lines and stray strokes
touching the outline at T-junctions or crossing it. All of them are read the same way:

1. Every segment of every entity (a line, an arc, or a flattened spline) is a *primitive*. Exact
   copies collapse to one (reported); a closed entity or an isolated closed chain that crosses
   itself is left out (reported), as no knife path can follow it.
2. Ends closer than the chaining tolerance become one node; with ``close_gaps_mm``, free ends
   (touching nothing) are joined to the nearest free end or edge within that distance.
3. The primitives, flattened with vertices on the curve, are noded and merged by shapely
   (``union_all`` with a grid far below the tolerance: snap-rounding, so overlapping and nearly
   coincident copies become one edge and every crossing and T-junction a node), and
   ``polygonize_full`` finds the faces; dangles and cut edges do not stop the faces from closing.
4. A face's depth is the number of faces whose outer ring encloses it. Even depth is material,
   odd depth a hole (so a piece in a hole of another is a piece again); touching material faces
   are one piece (the knife frees their union), as are faces split by a line across them.
5. Each outline and hole of a piece is traced back to the primitives it runs along, so that it is
   written with the drawing's true arcs (bulges) again, vertices at the drawn end points. Where a
   ring turns at a crossing rather than at an end point, or follows a flattened curve, the ring
   carries an ``error`` bound and the caller widens its safe polygon by that much.
6. Edges on no outline are leftovers: open contours (both ends free, with their gap) and stray
   lines (touching or crossing an outline), each reported with layer and handles.

Why shapely rather than hand-written chaining (or ezdxf's edgeminer): GEOS nodes crossings,
T-junctions and overlaps robustly in one pass, which a walk along end points cannot, and
polygonization finds every face without a search over paths. What is written here is only the
bookkeeping: which primitive an edge came from, and the faces' depth.

Imports shapely, numpy and the model; no ezdxf.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon

from leathernest.io.dxf_curves import arc_geometry, flatten_path, orient_path
from leathernest.io.dxf_entities import Segment
from leathernest.io.dxf_report import ImportReport, IssueCode
from leathernest.model import CurvePath

# The noding grid as a share of the chaining tolerance: far enough below it that snapping never
# joins what the tolerance keeps apart, coarse enough to merge copies that differ by rounding.
GRID_PER_TOL = 0.25


@dataclass(frozen=True, slots=True, eq=False)
class Contour:
    """An open (or closed feature) contour with the entities it was made of."""

    path: CurvePath
    closed: bool
    handles: tuple[str, ...]
    layer: str
    group: int
    freeform: bool = False
    gap: float = 0.0  # distance between the ends of an open contour, mm
    error: float = 0.0


@dataclass(frozen=True, slots=True, eq=False)
class Region:
    """One piece (or hide) of a drawing: its rings with true arcs and its on-curve polygon.

    ``rings``: the outline counter-clockwise, then the holes clockwise. ``errors``: per ring, how
    far it may lie from the drawn curves (0: exact end points, lines and arcs). ``polygon``: the
    noded on-curve geometry, for containment tests only (never for feasibility).
    """

    polygon: Polygon
    rings: tuple[CurvePath, ...]
    errors: tuple[float, ...]
    handles: tuple[str, ...]
    layer: str
    group: int
    n_faces: int


@dataclass(eq=False, slots=True)
class _Prim:
    """One line, arc or flattened curve of an entity; its ends move when snapped."""

    pts: np.ndarray  # 2 points (line, arc) or the flattened polyline (freeform)
    bulge: float
    seg: Segment

    @property
    def freeform(self) -> bool:
        return self.seg.freeform

    def flat(self, tol: float) -> np.ndarray:
        if self.bulge == 0.0 or self.freeform:
            return self.pts
        return flatten_path(CurvePath(self.pts, np.array([self.bulge, 0.0]), False), tol)


@dataclass
class _Stats:
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # layer -> handles


def _primitives(segments: list[Segment], tol: float, report: ImportReport) -> list[_Prim]:
    """Primitives of the segments; closed entities that cross themselves are left out."""
    out: list[_Prim] = []
    for s in segments:
        path = s.path
        if path.closed and not _closed_entity_ok(s, tol, report):
            continue
        if s.freeform:
            pts = np.vstack([path.points, path.points[:1]]) if path.closed else path.points
            if len(pts) >= 2:
                out.append(_Prim(pts.copy(), 0.0, s))
            continue
        n = len(path.points)
        for i in range(n if path.closed else n - 1):
            p0, p1 = path.points[i], path.points[(i + 1) % n]
            if np.any(p0 != p1):
                out.append(_Prim(np.array([p0, p1]), float(path.bulges[i]), s))
    return out


def _closed_entity_ok(s: Segment, tol: float, report: ImportReport) -> bool:
    ring = flatten_path(orient_path(s.path, ccw=True), tol, on_curve=True)
    if len(ring) < 3:
        return False
    poly = Polygon(ring)
    if not poly.is_valid:
        report.add(
            IssueCode.SELF_INTERSECTION, "closed contour crosses itself; left out", s.layer,
            (s.handle,),
        )  # fmt: skip
        return False
    if poly.area <= 0.0:
        report.add(IssueCode.DEGENERATE, "closed contour has no area", s.layer, (s.handle,))
        return False
    return True


def _dedupe(prims: list[_Prim], grid: float, report: ImportReport) -> list[_Prim]:
    """Exact copies (either direction) collapse to the first; entities wholly copied reported."""
    seen: set[tuple] = set()
    kept: list[_Prim] = []
    dropped: Counter = Counter()
    total: Counter = Counter()
    for p in prims:
        key_pts = np.round(p.pts / grid).astype(np.int64)
        fwd = (*key_pts.ravel().tolist(), round(p.bulge, 9))
        rev = (*key_pts[::-1].ravel().tolist(), round(-p.bulge, 9))
        key = min(fwd, rev)
        total[p.seg] += 1
        if key in seen:
            dropped[p.seg] += 1
            continue
        seen.add(key)
        kept.append(p)
    by_layer: dict[str, list[str]] = {}
    for seg, n in dropped.items():
        if n == total[seg]:
            by_layer.setdefault(seg.layer, []).append(seg.handle)
    for layer, handles in by_layer.items():
        report.add(
            IssueCode.DUPLICATE_CONTOUR,
            f"{len(handles)} entit{'y' if len(handles) == 1 else 'ies'} drawn twice (exact "
            "copies of others); one copy kept",
            layer,
            tuple(dict.fromkeys(handles)),
        )
    return kept


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def find(self, a: int) -> int:
        parent = self.parent
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return int(root)

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _snap_ends(prims: list[_Prim], tol: float, close_gaps: float, chord_tol: float) -> None:
    """Merge ends within ``tol``; then join free ends within ``close_gaps`` to ends or edges."""
    if not prims:
        return
    ends = np.array([[p.pts[0], p.pts[-1]] for p in prims]).reshape(-1, 2)
    uf = _UnionFind(len(ends))
    pts = shapely.points(ends)
    tree = shapely.STRtree(pts)
    a, b = tree.query(pts, predicate="dwithin", distance=tol)
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        if i < j:
            uf.union(i, j)
    roots = np.array([uf.find(i) for i in range(len(ends))])
    degree = np.bincount(roots, minlength=len(ends))
    free = np.flatnonzero(degree[roots] == 1)
    reach = max(tol, close_gaps)
    if close_gaps > tol and len(free) > 1:
        # Free ends to the nearest free end (not the same primitive's other end unless it is the
        # only one: an open entity whose own ends are that close closes).
        ftree = shapely.STRtree(pts[free])
        fa, fb = ftree.query(pts[free], predicate="dwithin", distance=close_gaps)
        best: dict[int, tuple[float, int]] = {}
        for i, j in zip(fa.tolist(), fb.tolist(), strict=True):
            if i == j:
                continue
            d = float(np.hypot(*(ends[free[i]] - ends[free[j]])))
            if d < best.get(i, (math.inf, -1))[0]:
                best[i] = (d, j)
        for i, (_d, j) in best.items():
            uf.union(int(free[i]), int(free[j]))
        roots = np.array([uf.find(i) for i in range(len(ends))])
        degree = np.bincount(roots, minlength=len(ends))
        free = np.flatnonzero(degree[roots] == 1)
    for k in range(len(ends)):
        r = roots[k]
        if r != k:
            _move_end(prims[k // 2], k % 2, ends[r])
    if len(free) == 0:
        return
    # Free ends onto the nearest edge (T-junctions drawn a little short or long).
    lines = _lines([p.flat(chord_tol) for p in prims])
    ltree = shapely.STRtree(lines)
    fp = shapely.points(np.array([prims[k // 2].pts[-(k % 2)] for k in free]))
    # An end on an arc lies up to the chord tolerance off its flattened chords.
    qa, qb = ltree.query(fp, predicate="dwithin", distance=reach + chord_tol)
    best_e: dict[int, tuple[float, int]] = {}
    for i, j in zip(qa.tolist(), qb.tolist(), strict=True):
        if j == free[i] // 2:
            continue
        d = float(shapely.distance(fp[i], lines[j]))
        if d > reach + (chord_tol if prims[j].bulge else 0.0):
            continue
        if d < best_e.get(i, (math.inf, -1))[0]:
            best_e[i] = (d, j)
    for i, (d, j) in best_e.items():
        if d <= 0.0:
            continue
        line = lines[j]
        q = shapely.line_interpolate_point(line, shapely.line_locate_point(line, fp[i]))
        _move_end(prims[free[i] // 2], free[i] % 2, np.array(shapely.get_coordinates(q)[0]))


def _move_end(p: _Prim, which: int, to: np.ndarray) -> None:
    if which == 0:
        p.pts[0] = to
    else:
        p.pts[-1] = to


def _drop_crossing_loops(
    prims: list[_Prim], lines: np.ndarray, report: ImportReport
) -> np.ndarray:
    """Isolated closed chains that cross themselves: reported and masked out (returns keep)."""
    keep = np.ones(len(prims), dtype=bool)
    if not len(prims):
        return keep
    merged = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines)))
    bad = merged[shapely.is_closed(merged) & ~shapely.is_simple(merged)]
    if not len(bad):
        return keep
    tree = shapely.STRtree(lines)
    for loop in bad:
        ids = tree.query(loop, predicate="covers")
        if not len(ids):
            continue
        keep[ids] = False
        segs = list(dict.fromkeys(prims[i].seg for i in ids))
        report.add(
            IssueCode.SELF_INTERSECTION,
            "closed contour crosses itself; left out",
            segs[0].layer,
            tuple(dict.fromkeys(s.handle for s in segs)),
        )
    return keep


class PlanarGraph:
    """The noded contours of one group of segments, their faces and what lies on no face.

    Parameters
    ----------
    segments
        Contour pieces in mm (open and closed).
    tol
        Chaining tolerance: ends closer than this are one node, mm.
    close_gaps
        Free ends closer than this to another end or an edge are joined, mm.
    chord_tol
        Flattening tolerance of arcs for the graph, mm.
    """

    def __init__(
        self,
        segments: list[Segment],
        tol: float,
        close_gaps: float,
        chord_tol: float,
        report: ImportReport,
    ) -> None:
        self.tol = tol
        self.chord_tol = chord_tol
        self.grid = tol * GRID_PER_TOL
        self.report = report
        prims = _primitives(segments, chord_tol, report)
        prims = _dedupe(prims, self.grid, report)
        _snap_ends(prims, tol, close_gaps, chord_tol)
        lines = _lines([p.flat(chord_tol) for p in prims])
        keep = _drop_crossing_loops(prims, lines, report)
        self.prims = [p for p, k in zip(prims, keep, strict=True) if k]
        self.lines = lines[keep] if len(prims) else lines
        # Lookup of "which primitive is this point on" by the primitives' single chords: a
        # distance to a two-point line is cheap where one to a long flattened curve is not.
        coords = [shapely.get_coordinates(g) for g in self.lines]
        chords = [np.stack([c[:-1], c[1:]], axis=1) for c in coords]
        self.chord_prim = np.repeat(np.arange(len(chords)), [len(c) for c in chords])
        self.chords = shapely.linestrings(np.concatenate(chords)) if chords else np.array([])
        self.tree = shapely.STRtree(self.chords)
        self._build()

    # -- noding and faces -------------------------------------------------------------------------

    def _build(self) -> None:
        self.degree: Counter = Counter()
        if not len(self.lines):
            self.edges = np.array([], dtype=object)
            self.faces = np.array([], dtype=object)
            self.depth = np.array([], dtype=int)
            return
        noded = shapely.union_all(self.lines, grid_size=self.grid)
        self.edges = shapely.get_parts(noded)
        self.edges = self.edges[shapely.get_type_id(self.edges) == 1]
        ends = np.vstack(
            [shapely.get_coordinates(shapely.get_point(self.edges, i)) for i in (0, -1)]
        )
        self.degree = Counter(map(tuple, ends.tolist()))
        polys, _cuts, _dangles, invalid = shapely.polygonize_full(self.edges)
        self.faces = shapely.get_parts(polys)
        self.faces = self.faces[shapely.area(self.faces) > self.grid * self.grid]
        for ring in shapely.get_parts(invalid):
            self.report.add(
                IssueCode.DEGENERATE, "closed contour collapses (no area)", *self._where(ring)
            )
        if not len(self.faces):
            self.depth = np.array([], dtype=int)
            return
        fills = shapely.polygons(shapely.get_exterior_ring(self.faces))
        reps = shapely.point_on_surface(self.faces)
        a, _b = shapely.STRtree(fills).query(reps, predicate="within")
        self.depth = np.bincount(a, minlength=len(self.faces)) - 1

    # -- tracing back to primitives ---------------------------------------------------------------

    def _prims_at(self, pts: np.ndarray) -> np.ndarray:
        """For each point (on an edge), the primitive it lies on (-1: none within the grid)."""
        out = np.full(len(pts), -1, dtype=np.int64)
        if not len(pts) or not len(self.prims):
            return out
        geoms = shapely.points(pts)
        a, b = self.tree.query(geoms, predicate="dwithin", distance=2.0 * self.grid + 1e-12)
        if not len(a):
            return out
        d = shapely.distance(geoms[a], self.chords[b])
        b = self.chord_prim[b]
        ff = np.array([self.prims[j].freeform for j in b.tolist()], dtype=np.int8)
        order = np.lexsort((b, ff, d, a))
        a, b = a[order], b[order]
        first = np.ones(len(a), dtype=bool)
        first[1:] = a[1:] != a[:-1]
        out[a[first]] = b[first]
        return out

    def _where(self, geom) -> tuple[str | None, tuple[str, ...]]:
        coords = shapely.get_coordinates(geom)
        if len(coords) < 2:
            return None, ()
        ids = self._prims_at((coords[:-1] + coords[1:]) / 2.0)
        segs = [self.prims[i].seg for i in ids.tolist() if i >= 0]
        if not segs:
            return None, ()
        layer = Counter(s.layer for s in segs).most_common(1)[0][0]
        return layer, tuple(dict.fromkeys(s.handle for s in segs))

    def ring_path(self, coords: np.ndarray, ccw: bool) -> tuple[CurvePath, float]:
        """The closed ring (shapely coordinates, last = first) as a bulge path, and its error.

        The ring is cut into runs along one primitive each. Where two runs meet, the vertex is the
        primitives' shared end point, or else the exact crossing of their lines and circles
        nearest the noded vertex; lines and arcs between such vertices are exact. Flattened curves
        (and crossings with them) keep the noded vertices and set the error bound.
        """
        ring = coords[:-1]
        n = len(ring)
        ids = self._prims_at((ring + np.roll(ring, -1, axis=0)) / 2.0)
        starts = np.flatnonzero(ids != np.roll(ids, 1))
        if not len(starts) or np.any(ids < 0):
            pid = int(ids[0])
            err = self.prims[pid].seg.error if pid >= 0 and not np.any(ids < 0) else self.chord_tol
            return orient_path(CurvePath.polyline(ring, True), ccw), err + self.grid
        runs = [int(x) for x in ids[starts]]
        error = 0.0
        corners: list[np.ndarray] = []
        for k, s in enumerate(starts.tolist()):
            v, err = self._corner(ring[s], self.prims[runs[k - 1]], self.prims[runs[k]])
            corners.append(v)
            error = max(error, err)
        pts: list[np.ndarray] = []
        bulges: list[float] = []
        for k, s in enumerate(starts.tolist()):
            e = int(starts[k + 1]) if k + 1 < len(starts) else int(starts[0]) + n
            prim = self.prims[runs[k]]
            u, v = corners[k], corners[(k + 1) % len(corners)]
            pts.append(u)
            if prim.freeform:
                pts.extend(ring[(s + np.arange(1, e - s)) % n])
                bulges.extend([0.0] * (e - s))
                error = max(error, prim.seg.error + self.grid)
            else:
                bulges.append(self._sub_bulge(prim, u, v))
        if len(pts) < 3 and not any(bulges):
            return orient_path(CurvePath.polyline(ring, True), ccw), self.chord_tol + self.grid
        return orient_path(_clean(np.array(pts), np.array(bulges)), ccw), error

    def _drawn_end(self, v: np.ndarray, p: _Prim) -> np.ndarray:
        """The primitive's end point that ``v`` is the noded copy of (else ``v``)."""
        lim = 2.0 * self.grid + 1e-12
        for end in (p.pts[0], p.pts[-1]):
            if abs(v[0] - end[0]) <= lim and abs(v[1] - end[1]) <= lim:
                return end
        return v

    def _corner(self, v: np.ndarray, a: _Prim, b: _Prim) -> tuple[np.ndarray, float]:
        """The exact vertex where the ring passes from primitive ``a`` to ``b``, and its error."""
        lim = 2.0 * self.grid + 1e-12
        for end in (b.pts[0], b.pts[-1]):
            if abs(v[0] - end[0]) <= lim and abs(v[1] - end[1]) <= lim:
                for other in (a.pts[0], a.pts[-1]):
                    if np.all(other == end):
                        return end, 0.0  # the drawn, shared end point
        if a.freeform or b.freeform:
            return v, self.chord_tol + self.grid
        hits = _carrier_crossings(a, b)
        if hits:
            best = min(hits, key=lambda p: float(np.hypot(*(p - v))))
            if float(np.hypot(*(best - v))) <= self.chord_tol + lim:
                return best, 0.0
        return v, self.chord_tol + self.grid

    @staticmethod
    def _sub_bulge(prim: _Prim, u: np.ndarray, v: np.ndarray) -> float:
        """Bulge of the part of an arc primitive from ``u`` to ``v`` (0 for lines)."""
        if prim.bulge == 0.0:
            return 0.0
        if np.all(u == prim.pts[0]) and np.all(v == prim.pts[1]):
            return prim.bulge
        if np.all(u == prim.pts[1]) and np.all(v == prim.pts[0]):
            return -prim.bulge
        c, _r, theta = arc_geometry(prim.pts[0], prim.pts[1], prim.bulge)
        sense = 1.0 if theta > 0 else -1.0
        a0 = math.atan2(prim.pts[0][1] - c[1], prim.pts[0][0] - c[0])
        margin = (2.0 * math.pi - abs(theta)) / 2.0

        def t(p: np.ndarray) -> float:
            ang = sense * (math.atan2(p[1] - c[1], p[0] - c[0]) - a0)
            return (ang + margin) % (2.0 * math.pi) - margin

        return math.tan(sense * (t(v) - t(u)) / 4.0)

    # -- results ----------------------------------------------------------------------------------

    def regions(self, cutout_layers: frozenset[str] = frozenset()) -> list[Region]:
        """Material regions: even-depth faces, overlapping ones merged; holes are odd-depth faces.

        An even-depth face bounded only by cut-out layers is a cut-out outside every piece: it is
        reported and left out.
        """
        if not len(self.faces):
            return []
        even = np.flatnonzero(self.depth % 2 == 0)
        if cutout_layers:
            kept = []
            for i in even.tolist():
                layer, handles = self._where(self.faces[i].exterior)
                ids = self._ring_prims(self.faces[i].exterior)
                if ids and all(self.prims[j].seg.layer in cutout_layers for j in ids):
                    self.report.add(
                        IssueCode.ORPHAN_FEATURE, "cut-out outside every piece", layer, handles
                    )
                else:
                    kept.append(i)
            even = np.array(kept, dtype=np.int64)
        if not len(even):
            return []
        out: list[Region] = []
        for group in self._crossing_groups(even):
            union = shapely.get_parts(shapely.union_all(self.faces[group]))
            out.extend(
                self._region(g, len(group)) for g in union if isinstance(g, Polygon) and g.area > 0
            )
        return out

    def _crossing_groups(self, even: np.ndarray) -> list[np.ndarray]:
        """Even faces grouped into pieces: which faces that share an edge are one piece.

        Two material faces that share an edge are one piece when the edge's chain crosses other
        lines at both ends (four or more edges meet there: overlapping outlines, or a
        construction line running on beyond an outline), or when both faces are drawn on the same
        layer (a line across a piece: a fold, stitch or centre line). Faces of different layers
        that meet at T-junctions stay apart: parts drawn side by side, sharing a cut line
        (common-line cutting), as CAM sheets draw them.
        """
        uf = _UnionFind(len(even))
        chains = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(self.edges)))
        first = shapely.get_coordinates(shapely.get_point(chains, 0))
        last = shapely.get_coordinates(shapely.get_point(chains, -1))
        crossing = np.array(
            [
                self.degree[tuple(a)] >= 4 and self.degree[tuple(b)] >= 4 and tuple(a) != tuple(b)
                for a, b in zip(first.tolist(), last.tolist(), strict=True)
            ],
            dtype=bool,
        )
        mids = shapely.line_interpolate_point(chains, 0.5, normalized=True)
        tree = shapely.STRtree(self.faces[even])
        a, b = tree.query(mids, predicate="dwithin", distance=2.0 * self.grid + 1e-12)
        layers = [self._face_layer(self.faces[i]) for i in even.tolist()]
        for k in np.unique(a).tolist():
            faces = b[a == k].tolist()
            for f in faces[1:]:
                if crossing[k] or layers[f] == layers[faces[0]]:
                    uf.union(faces[0], f)
        roots = np.array([uf.find(i) for i in range(len(even))])
        return [even[roots == r] for r in np.unique(roots)]

    def _face_layer(self, face: Polygon) -> str:
        """The layer drawing most of the face's outer ring (by length)."""
        coords = np.asarray(face.exterior.coords)
        ids = self._prims_at((coords[:-1] + coords[1:]) / 2.0)
        length = np.hypot(*np.diff(coords, axis=0).T)
        by: Counter = Counter()
        for i, d in zip(ids.tolist(), length.tolist(), strict=True):
            by[self.prims[i].seg.layer if i >= 0 else ""] += d
        return by.most_common(1)[0][0] if by else ""

    def _ring_prims(self, ring) -> list[int]:
        coords = shapely.get_coordinates(ring)
        ids = self._prims_at((coords[:-1] + coords[1:]) / 2.0)
        return [i for i in dict.fromkeys(ids.tolist()) if i >= 0]

    def _region(self, poly: Polygon, n_faces: int) -> Region:
        rings = [poly.exterior, *poly.interiors]
        paths, errors, prim_ids = [], [], []
        for k, ring in enumerate(rings):
            path, err = self.ring_path(np.asarray(ring.coords), ccw=(k == 0))
            paths.append(path)
            errors.append(err)
            prim_ids.extend(self._ring_prims(ring))
        outer = self._ring_prims(poly.exterior) or prim_ids
        segs = [self.prims[i].seg for i in prim_ids]
        outer_segs = [self.prims[i].seg for i in outer]
        layer = Counter(s.layer for s in outer_segs).most_common(1)[0][0] if outer_segs else "0"
        group = Counter(s.group for s in outer_segs).most_common(1)[0][0] if outer_segs else 0
        handles = tuple(dict.fromkeys(s.handle for s in segs))
        return Region(poly, tuple(paths), tuple(errors), handles, layer, group, n_faces)

    def face_rings(self) -> list[tuple[CurvePath, float, str, tuple[str, ...]]]:
        """The outer ring of every face, unmerged (hand layouts: pieces may touch)."""
        out = []
        for face in self.faces:
            path, err = self.ring_path(np.asarray(face.exterior.coords), ccw=True)
            layer, handles = self._where(face.exterior)
            out.append((path, err, layer or "0", handles))
        return out

    def leftovers(self, regions: list[Region]) -> list[Contour]:
        """Edges on no region's boundary, merged into contours, each reported once.

        Both ends free: an open contour (``OPEN_CONTOUR``, with its gap). Otherwise a line that
        touches or crosses an outline (``STRAY_LINE``): a construction line, a T-junction's stem,
        a line across a piece. Edges of closed entities are not reported (they lie inside a
        merged piece, or are spikes of no width).
        """
        if not len(self.edges):
            return []
        mids = shapely.line_interpolate_point(self.edges, 0.5, normalized=True)
        if regions:
            boundary = shapely.union_all([r.polygon.boundary for r in regions])
            shapely.prepare(boundary)
            on = shapely.dwithin(boundary, mids, 2.0 * self.grid + 1e-12)
            material = shapely.union_all([r.polygon for r in regions])
            shapely.prepare(material)
        else:
            on = np.zeros(len(self.edges), dtype=bool)
            material = None
        rest = self.edges[~on]
        if not len(rest):
            return []
        degree = self.degree
        merged = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(rest)))
        out = [self._leftover(line, degree, material) for line in merged]
        return [c for c in out if c is not None]

    def _leftover(self, line: LineString, degree: Counter, material) -> Contour | None:
        coords = np.asarray(line.coords)
        layer, handles = self._where(line)
        ids = self._prims_at((coords[:-1] + coords[1:]) / 2.0)
        segs = [self.prims[i].seg for i in ids.tolist() if i >= 0]
        if segs and all(s.path.closed for s in segs):
            # Parts of closed contours off every outline: inside a merged piece, or a spike of
            # no width collapsed by the noding. Nothing of the drawing is left open.
            return None
        group = Counter(s.group for s in segs).most_common(1)[0][0] if segs else 0
        freeform = any(s.freeform for s in segs)
        closed = bool(line.is_closed)
        ends_free = degree[tuple(coords[0])] == 1 and degree[tuple(coords[-1])] == 1
        touches = any(degree[tuple(p)] >= 3 for p in coords[1:-1].tolist())
        if not closed and len(ids) and ids[0] >= 0 and ids[-1] >= 0:
            # Measure the gap between the drawn end points, not their grid-snapped copies.
            coords = coords.copy()
            coords[0] = self._drawn_end(coords[0], self.prims[int(ids[0])])
            coords[-1] = self._drawn_end(coords[-1], self.prims[int(ids[-1])])
        gap = 0.0 if closed else float(np.hypot(*(coords[-1] - coords[0])))
        pts = coords[:-1] if closed else coords
        path = CurvePath.polyline(pts, closed) if len(pts) >= 2 else CurvePath.polyline(coords)
        if ends_free and not touches and not closed:
            self.report.add(
                IssueCode.OPEN_CONTOUR,
                f"open contour (gap {gap:.3g} mm) left out of the outlines",
                layer,
                handles,
                gap_mm=gap,
            )
        else:
            mid = line.interpolate(0.5, normalized=True)
            inside = material is not None and material.contains(mid)
            what = "a line inside a piece, kept as a mark (not cut)" if inside else (
                "a line that touches or crosses an outline but closes none (construction line, "
                "T-junction); left out"
            )
            self.report.add(IssueCode.STRAY_LINE, what, layer, handles)
        return Contour(path, closed, handles, layer or "0", group, freeform, gap)


def _carrier_crossings(a: _Prim, b: _Prim) -> list[np.ndarray]:
    """Where the lines or circles carrying two primitives meet (coincident ones: their ends)."""
    ca, cb = _carrier(a), _carrier(b)
    if ca[0] == "line" and cb[0] == "line":
        (p, d), (q, e) = ca[1:], cb[1:]
        den = d[0] * e[1] - d[1] * e[0]
        if abs(den) <= 1e-12 * float(np.hypot(*d) * np.hypot(*e)):
            return [a.pts[0], a.pts[-1], b.pts[0], b.pts[-1]]  # parallel: collinear copies
        t = ((q[0] - p[0]) * e[1] - (q[1] - p[1]) * e[0]) / den
        return [p + t * d]
    if ca[0] == "line":
        ca, cb = cb, ca
    if cb[0] == "line":
        (c, r), (p, d) = ca[1:], cb[1:]
        dd = float(d @ d)
        t0 = float((c - p) @ d) / dd
        foot = p + t0 * d
        h2 = r * r - float((foot - c) @ (foot - c))
        if h2 < 0:
            return [foot]  # tangent up to rounding
        h = math.sqrt(h2 / dd)
        return [foot + h * d, foot - h * d]
    (c1, r1), (c2, r2) = ca[1:], cb[1:]
    dv = c2 - c1
    dist = float(np.hypot(*dv))
    if dist <= 1e-12 * max(r1, r2):
        return [a.pts[0], a.pts[-1], b.pts[0], b.pts[-1]]  # the same circle
    x = (dist * dist + r1 * r1 - r2 * r2) / (2.0 * dist)
    h = math.sqrt(max(r1 * r1 - x * x, 0.0))
    base = c1 + dv * (x / dist)
    perp = np.array([-dv[1], dv[0]]) / dist
    return [base + h * perp, base - h * perp]


def _carrier(p: _Prim) -> tuple:
    if p.bulge == 0.0:
        return ("line", p.pts[0], p.pts[1] - p.pts[0])
    c, r, _theta = arc_geometry(p.pts[0], p.pts[1], p.bulge)
    return ("circle", c, r)


def _lines(coords: list[np.ndarray]) -> np.ndarray:
    """LineStrings of ragged coordinate arrays, made in one call."""
    if not coords:
        return np.array([], dtype=object)
    lengths = np.array([len(c) for c in coords])
    index = np.repeat(np.arange(len(coords)), lengths)
    return shapely.linestrings(np.vstack(coords), indices=index)


def closed_regions(segments: list[Segment], chord_tol: float, report: ImportReport) -> list[Region]:
    """Each closed segment as a region of its own, unmerged (zones, hand layouts).

    Segments that cross themselves or have no area are reported and left out; open segments are
    ignored (they go through :class:`PlanarGraph`).
    """
    out: list[Region] = []
    for s in segments:
        if not s.path.closed or not _closed_entity_ok(s, chord_tol, report):
            continue
        path = orient_path(s.path, ccw=True)
        poly = Polygon(flatten_path(path, chord_tol, on_curve=True))
        err = s.error if s.freeform else 0.0
        out.append(Region(poly, (path,), (err,), (s.handle,), s.layer, s.group, 1))
    return out


def _clean(pts: np.ndarray, bulges: np.ndarray) -> CurvePath:
    """Drop zero-length segments (a vertex repeated by snapping)."""
    nxt = np.roll(pts, -1, axis=0)
    keep = np.any(pts != nxt, axis=1)
    if keep.sum() < 2:
        keep[:] = True
    return CurvePath(pts[keep], bulges[keep], True)


def merged_lines(segments: list[Segment], tol: float) -> list[np.ndarray]:
    """Open segments flattened on the curve and merged end to end (shapely ``line_merge``)."""
    lines = [flatten_path(s.path, tol, on_curve=True) for s in segments if len(s.path.points) > 1]
    if not lines:
        return []
    merged = shapely.line_merge(MultiLineString([LineString(p) for p in lines if len(p) > 1]))
    return [np.asarray(g.coords) for g in shapely.get_parts(merged)]
