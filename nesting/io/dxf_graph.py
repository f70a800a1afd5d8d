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
   (rounded to a grid far below the tolerance, then ``node``: overlapping and nearly coincident
   copies become one edge and every crossing and T-junction a node), and
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
from dataclasses import dataclass

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


def _primitives(segments: list[Segment], tol: float, report: ImportReport) -> list[_Prim]:
    """Primitives of the segments; closed entities that cross themselves are left out."""
    ok = _closed_ok(segments, tol, report)
    out: list[_Prim] = []
    for s, good in zip(segments, ok, strict=True):
        if not good:
            continue
        path = s.path
        if s.freeform:
            pts = np.vstack([path.points, path.points[:1]]) if path.closed else path.points
            if len(pts) >= 2:
                out.append(_Prim(pts.copy(), 0.0, s))
            continue
        pts = path.points
        nxt = np.concatenate([pts[1:], pts[:1]]) if path.closed else pts[1:]
        for p0, p1, b in zip(pts[: len(nxt)], nxt, path.bulges[: len(nxt)].tolist(), strict=True):
            if p0[0] != p1[0] or p0[1] != p1[1]:
                out.append(_Prim(np.array([p0, p1]), b, s))
    return out


def _closed_ok(segments: list[Segment], tol: float, report: ImportReport) -> list[bool]:
    """False for closed segments that cross themselves or have no area (each reported)."""
    ok = [True] * len(segments)
    closed = [k for k, s in enumerate(segments) if s.path.closed]
    if not closed:
        return ok
    rings = [
        segments[k].path.points
        if not np.any(segments[k].path.bulges)
        else flatten_path(segments[k].path, tol, on_curve=True)
        for k in closed
    ]
    short = [len(r) < 3 for r in rings]
    rings = [np.vstack([r, r[:1], r[:1]]) if len(r) < 3 else r for r in rings]  # degenerate
    index = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
    polys = shapely.polygons(shapely.linearrings(np.vstack(rings), indices=index))
    valid = shapely.is_valid(polys)
    area = shapely.area(polys)
    for k, is_short, v, a in zip(closed, short, valid.tolist(), area.tolist(), strict=True):
        s = segments[k]
        if is_short:
            ok[k] = False
        elif not v:
            report.add(
                IssueCode.SELF_INTERSECTION, "closed contour crosses itself; left out", s.layer,
                (s.handle,),
            )  # fmt: skip
            ok[k] = False
        elif a <= 0.0:
            report.add(IssueCode.DEGENERATE, "closed contour has no area", s.layer, (s.handle,))
            ok[k] = False
    return ok


def _dedupe(prims: list[_Prim], grid: float, report: ImportReport) -> list[_Prim]:
    """Exact copies (either direction) collapse to the first; entities wholly copied reported."""
    if not prims:
        return prims
    simple = [k for k, p in enumerate(prims) if len(p.pts) == 2]
    keys: dict[int, tuple] = {}
    if simple:
        ends = np.round(np.array([prims[k].pts for k in simple]) / grid).astype(np.int64)
        bulge = np.round(np.array([prims[k].bulge for k in simple]) * 1e9).astype(np.int64)
        a, b = ends[:, 0], ends[:, 1]
        swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
        lo, hi = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
        rows = np.column_stack([lo, hi, np.where(swap, -bulge, bulge)])
        keys = dict(zip(simple, map(tuple, rows.tolist()), strict=True))
    seen: set[tuple] = set()
    kept: list[_Prim] = []
    dropped: Counter = Counter()
    total: Counter = Counter()
    for k, p in enumerate(prims):
        key = keys.get(k)
        if key is None:
            q = np.round(p.pts / grid).astype(np.int64)
            key = min(tuple(q.ravel().tolist()), tuple(q[::-1].ravel().tolist()))
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
        self.seg_prims = Counter(p.seg for p in self.prims)
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
        # Round to the grid, then node: crossings, T-junctions and overlapping copies become one
        # edge each. (union_all with grid_size does the same by snap-rounding, four times slower;
        # it stays the fallback for input the plain noder cannot handle.)
        try:
            rounded = shapely.set_precision(shapely.multilinestrings(self.lines), self.grid)
            noded = shapely.node(rounded)
        except shapely.errors.GEOSException:
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

    def ring_path(
        self, coords: np.ndarray, ccw: bool, ids: np.ndarray | None = None
    ) -> tuple[CurvePath, float]:
        """The closed ring (shapely coordinates, last = first) as a bulge path, and its error.

        The ring is cut into runs along one primitive each. Where two runs meet, the vertex is the
        primitives' shared end point, or else the exact crossing of their lines and circles
        nearest the noded vertex; lines and arcs between such vertices are exact. Flattened curves
        (and crossings with them) keep the noded vertices and set the error bound.
        """
        ring = coords[:-1]
        n = len(ring)
        if ids is None:
            ids = self._prims_at((coords[:-1] + coords[1:]) / 2.0)
        starts = np.flatnonzero(ids != np.concatenate([ids[-1:], ids[:-1]]))
        runs = [int(x) for x in ids[starts]] if len(starts) else [int(ids[0])]
        whole = self._whole_entity(runs)
        if whole is not None:
            # The ring is one closed entity as drawn: its own path, exactly.
            return orient_path(whole.path, ccw), whole.error if whole.freeform else 0.0
        if not len(starts) or np.any(ids < 0):
            pid = int(ids[0])
            err = self.prims[pid].seg.error if pid >= 0 and not np.any(ids < 0) else self.chord_tol
            return orient_path(CurvePath.polyline(ring, True), ccw), err + self.grid
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

    def _whole_entity(self, runs: list[int]) -> Segment | None:
        """The closed segment whose every primitive, and nothing else, the runs are."""
        if runs[0] < 0:
            return None
        seg = self.prims[runs[0]].seg
        if not seg.path.closed or self.seg_prims[seg] != len(runs) or len(set(runs)) != len(runs):
            return None
        return seg if all(r >= 0 and self.prims[r].seg is seg for r in runs) else None

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
        if not hits:
            return v, self.chord_tol + self.grid
        # Chords of two curves crossing at a shallow angle meet farther from the true crossing
        # than the chord tolerance: allow ten times that before distrusting the geometry.
        best = min(hits, key=lambda p: float(np.hypot(*(p - v))))
        off = float(np.hypot(*(best - v)))
        if off <= 10.0 * self.chord_tol + lim:
            return best, 0.0
        return v, off + self.chord_tol + self.grid

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
        rings = [shapely.get_coordinates(self.faces[i].exterior) for i in even.tolist()]
        ring_ids = self._ring_ids(rings)
        layers = [self._layer_of(r, ids) for r, ids in zip(rings, ring_ids, strict=True)]
        if cutout_layers:
            keep = []
            for k, ids in enumerate(ring_ids):
                own = {self.prims[j].seg.layer for j in ids.tolist() if j >= 0}
                if own and own <= cutout_layers:
                    layer, handles = self._where_ids(ids)
                    self.report.add(
                        IssueCode.ORPHAN_FEATURE, "cut-out outside every piece", layer, handles
                    )
                else:
                    keep.append(k)
            even = even[keep]
            layers = [layers[k] for k in keep]
        if not len(even):
            return []
        polys: list[tuple[Polygon, int]] = []
        for group in self._crossing_groups(even, layers):
            if len(group) == 1:
                polys.append((self.faces[group[0]], 1))
                continue
            union = shapely.get_parts(shapely.union_all(self.faces[group]))
            polys.extend((g, len(group)) for g in union if isinstance(g, Polygon) and g.area > 0)
        all_rings = [
            [shapely.get_coordinates(r) for r in (poly.exterior, *poly.interiors)]
            for poly, _n in polys
        ]
        flat_ids = iter(self._ring_ids([r for rs in all_rings for r in rs]))
        return [
            self._region(poly, n, rs, [next(flat_ids) for _ in rs])
            for (poly, n), rs in zip(polys, all_rings, strict=True)
        ]

    def _ring_ids(self, rings: list[np.ndarray]) -> list[np.ndarray]:
        """For each closed coordinate ring, the primitive under each of its segments (one query)."""
        if not rings:
            return []
        mids = np.concatenate([(r[:-1] + r[1:]) / 2.0 for r in rings])
        ids = self._prims_at(mids)
        return np.split(ids, np.cumsum([len(r) - 1 for r in rings])[:-1])

    def _layer_of(self, ring: np.ndarray, ids: np.ndarray) -> str:
        """The layer drawing most of a ring (by length)."""
        length = np.hypot(*np.diff(ring, axis=0).T)
        by: Counter = Counter()
        for i, d in zip(ids.tolist(), length.tolist(), strict=True):
            by[self.prims[i].seg.layer if i >= 0 else ""] += d
        return by.most_common(1)[0][0] if by else ""

    def _where_ids(self, ids: np.ndarray) -> tuple[str | None, tuple[str, ...]]:
        segs = [self.prims[i].seg for i in ids.tolist() if i >= 0]
        if not segs:
            return None, ()
        layer = Counter(s.layer for s in segs).most_common(1)[0][0]
        return layer, tuple(dict.fromkeys(s.handle for s in segs))

    def _crossing_groups(self, even: np.ndarray, layers: list[str]) -> list[np.ndarray]:
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
        order = np.argsort(a, kind="stable")
        a, b = a[order], b[order]
        starts = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
        for lo, hi in zip(starts.tolist(), [*starts[1:].tolist(), len(a)], strict=True):
            if hi - lo < 2:
                continue
            k, faces = int(a[lo]), b[lo:hi].tolist()
            for f in faces[1:]:
                if crossing[k] or layers[f] == layers[faces[0]]:
                    uf.union(faces[0], f)
        roots = np.array([uf.find(i) for i in range(len(even))])
        order = np.argsort(roots, kind="stable")
        cuts = np.flatnonzero(np.diff(roots[order])) + 1
        return [even[g] for g in np.split(order, cuts)]

    def _region(
        self, poly: Polygon, n_faces: int, rings: list[np.ndarray], ring_ids: list[np.ndarray]
    ) -> Region:
        paths, errors = [], []
        for k, (ring, ids) in enumerate(zip(rings, ring_ids, strict=True)):
            path, err = self.ring_path(ring, ccw=(k == 0), ids=ids)
            paths.append(path)
            errors.append(err)
        all_ids = [i for ids in ring_ids for i in dict.fromkeys(ids.tolist()) if i >= 0]
        outer = [i for i in dict.fromkeys(ring_ids[0].tolist()) if i >= 0] or all_ids
        outer_segs = [self.prims[i].seg for i in outer]
        layer = Counter(s.layer for s in outer_segs).most_common(1)[0][0] if outer_segs else "0"
        group = Counter(s.group for s in outer_segs).most_common(1)[0][0] if outer_segs else 0
        handles = tuple(dict.fromkeys(self.prims[i].seg.handle for i in all_ids))
        return Region(poly, tuple(paths), tuple(errors), handles, layer, group, n_faces)

    def face_rings(self) -> list[tuple[CurvePath, float, str, tuple[str, ...]]]:
        """The outer ring of every face, unmerged (hand layouts: pieces may touch)."""
        rings = [shapely.get_coordinates(f.exterior) for f in self.faces]
        out = []
        for ring, ids in zip(rings, self._ring_ids(rings), strict=True):
            path, err = self.ring_path(ring, ccw=True, ids=ids)
            layer, handles = self._where_ids(ids)
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
        on = np.zeros(len(self.edges), dtype=bool)
        material = None
        if regions:
            polys = np.array([r.polygon for r in regions], dtype=object)
            rings = shapely.STRtree(shapely.boundary(polys))
            hit, _ = rings.query(mids, predicate="dwithin", distance=2.0 * self.grid + 1e-12)
            on[hit] = True
            material = shapely.STRtree(polys)
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
            inside = material is not None and len(material.query(mid, predicate="within")) > 0
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
    for s, good in zip(segments, _closed_ok(segments, chord_tol, report), strict=True):
        if not s.path.closed or not good:
            continue
        path = orient_path(s.path, ccw=True)
        poly = Polygon(flatten_path(path, chord_tol, on_curve=True))
        err = s.error if s.freeform else 0.0
        out.append(Region(poly, (path,), (err,), (s.handle,), s.layer, s.group, 1))
    return out


def _clean(pts: np.ndarray, bulges: np.ndarray) -> CurvePath:
    """Drop zero-length segments (a vertex repeated by snapping)."""
    nxt = np.concatenate([pts[1:], pts[:1]])
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
