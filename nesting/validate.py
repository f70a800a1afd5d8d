"""The exact, independent validator: the judge of every layout leathernest writes.

It rebuilds every placed shape from the job's original outlines with shapely and its own copy of
the placement transform (:func:`_placed`, written with ``shapely.affinity`` and deliberately not
shared with :mod:`leathernest.geometry.transform`), so a bug in offsetting, simplification or the
Numba kernels cannot hide itself. It imports the model, the config and shapely; never ``collision``,
``search`` or ``geometry`` (a test checks this).

Rules checked (``ViolationKind``):

- every placement names a known piece, a copy below its demand, a known hide and hide copy below
  stock; no copy placed twice (``UNKNOWN``, ``DEMAND``); a strip layout states a finite length;
- rotation in the piece's allowed set, mirroring as its policy says (``ROTATION``, ``MIRROR``);
- grain within tolerance of the backbone's direction where the piece lies (``GRAIN``);
- inside the strip or hide, at least the edge margin from its edge and the defect margin from its
  holes (``OUTSIDE``, ``MARGIN``; both margins default to ``margin_mm``);
- off every grade-0 zone by the defect margin, and not on any zone below the piece's grade
  (``DEFECT``, ``GRADE``);
- any two pieces at least ``gap_mm`` apart (``OVERLAP`` when one reaches into the other, ``GAP``
  otherwise);
- pairs and same-hide groups on one hide copy (``GROUP``);
- the placed area equal to the piece's area (``AREA``), every demanded copy placed or reported
  unplaced (``MISSING``);
- when a solution file states the placed outlines, each equal to the piece under the placement's
  own transform (``POLYGON``).

Tolerance
---------
Every rule is decided on lengths with one tolerance, :func:`length_tolerance`:
``VALIDATION_REL_TOL`` (1e-6) times the job's size, the largest extent (width or height) of a
hide, of the strip's height or of a piece, and at least 1 mm. On a 2000 x 1500 mm hide it is
2 µm: a thousandth of a knife's width, yet some ten million times the rounding of float64 on
coordinates of that size (and still a thousand times it at the coordinate bound of
:mod:`leathernest.limits`). It depends on the job only, never on what a solution claims (a strip
length, positions), and it is never an area.

How far a piece reaches into a neighbour, out of the leather or onto a zone is its *depth*: the
larger of the width of the region they share (the diameter of the widest disc inside it) and the
distance by which a vertex of one lies inside the other (this catches thin spikes). A depth above
the tolerance is a violation; a gap or margin may fall short by at most the tolerance; a stated
outline may differ from the rebuilt one by at most the tolerance (Hausdorff distance of the
boundaries, vertex-wise).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

from leathernest.config import ANGLE_TOL_DEG, VALIDATION_REL_TOL
from leathernest.model import Hide, Job, Mirror, Piece, Placement, Solution, Strip, zone_blocks

# A stated placed outline: (outer ring, holes), absolute coordinates, as a solution file gives it.
DrawnOutline = tuple[Sequence[Sequence[float]], Sequence[Sequence[Sequence[float]]]]


class ViolationKind(StrEnum):
    """What rule a placement breaks."""

    UNKNOWN = "unknown"
    DEMAND = "demand"
    ROTATION = "rotation"
    MIRROR = "mirror"
    GRAIN = "grain"
    OUTSIDE = "outside"
    MARGIN = "margin"
    DEFECT = "defect"
    GRADE = "grade"
    OVERLAP = "overlap"
    GAP = "gap"
    GROUP = "group"
    AREA = "area"
    MISSING = "missing"
    POLYGON = "polygon"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which pieces (``piece_id#copy``), on which hide, by how much (mm or mm²)."""

    kind: ViolationKind
    pieces: tuple[str, ...]
    hide: str | None
    amount: float
    message: str

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"

    def as_dict(self) -> dict:
        """Plain dict for JSON output."""
        return {
            "kind": self.kind.value,
            "pieces": list(self.pieces),
            "hide": self.hide,
            "amount": self.amount,
            "message": self.message,
        }


def job_scale(job: Job, strip_length: float | None = None) -> float:
    """The job's size in mm: the stock's largest bounding-box diagonal, or the strip's extent.

    Used by the baseline's clearance and the peer checker; the validator's own tolerance is
    :func:`length_tolerance`, which never reads a solution.
    """
    if isinstance(job.stock, Strip):
        return max(job.stock.height, strip_length or 0.0)
    diag = 0.0
    for h in job.stock:
        x0, y0, x1, y1 = h.outline.bbox
        diag = max(diag, math.hypot(x1 - x0, y1 - y0))
    return diag


def length_tolerance(job: Job) -> float:
    """The validator's length tolerance in mm (see the module docstring): 1e-6 of the job's size.

    The size is the largest width or height of a hide, the strip's height or a piece's, and at
    least 1 mm.
    """
    size = job.stock.height if isinstance(job.stock, Strip) else 1.0
    for outline in [*(h.outline for h in job.hides), *(p.outline for p in job.pieces)]:
        x0, y0, x1, y1 = outline.bbox
        size = max(size, x1 - x0, y1 - y0)
    return VALIDATION_REL_TOL * max(size, 1.0)


def _placed(piece: Piece, p: Placement) -> Polygon:
    """The validator's own transform: mirror about the local y axis, rotate ccw, translate."""
    poly = Polygon(piece.outline.outer, list(piece.outline.holes))
    if p.mirrored:
        poly = affinity.scale(poly, xfact=-1.0, yfact=1.0, origin=(0.0, 0.0))
    poly = affinity.rotate(poly, p.rotation_deg, origin=(0.0, 0.0))
    return affinity.translate(poly, p.x, p.y)


def placed_shape(piece: Piece, placement: Placement) -> Polygon:
    """The placed polygon as the validator sees it (used by reports and pictures)."""
    return _placed(piece, placement)


def _axis_diff_deg(a: float, b: float) -> float:
    """Smallest angle between two undirected axes, in [0, 90]."""
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def backbone_direction_deg(hide: Hide | None, at: Point) -> float:
    """The backbone's reference direction at ``at`` (degrees); 0 (the x axis) without one.

    The tangent of the backbone at the point nearest to ``at``, where the tangent turns linearly
    with arc length from the middle of one segment to the middle of the next (constant before the
    first middle and after the last): the piece follows a bent spine smoothly. The search uses the
    same definition (:mod:`leathernest.geometry.backbone`), written separately.
    """
    if hide is None or hide.backbone is None:
        return 0.0
    pts = [tuple(map(float, hide.backbone[0]))]
    for x, y in hide.backbone[1:]:
        if (float(x), float(y)) != pts[-1]:
            pts.append((float(x), float(y)))
    if len(pts) < 2:
        return 0.0
    angles, mids, run = [], [], 0.0
    for (x0, y0), (x1, y1) in pairwise(pts):
        a = math.atan2(y1 - y0, x1 - x0)
        if angles:  # unwrap: consecutive directions differ by at most half a turn
            a = angles[-1] + (a - angles[-1] + math.pi) % (2.0 * math.pi) - math.pi
        length = math.hypot(x1 - x0, y1 - y0)
        angles.append(a)
        mids.append(run + 0.5 * length)
        run += length
    s_at = LineString(pts).project(at)
    if s_at <= mids[0]:
        a = angles[0]
    elif s_at >= mids[-1]:
        a = angles[-1]
    else:
        i = max(j for j in range(len(mids)) if mids[j] <= s_at)
        f = (s_at - mids[i]) / (mids[i + 1] - mids[i])
        a = angles[i] + f * (angles[i + 1] - angles[i])
    return math.degrees(a) % 360.0


def grain_error_deg(piece: Piece, p: Placement, hide: Hide | None, centre: Point) -> float:
    """How far (degrees) the placed grain is from its target axis; 0 for pieces without grain."""
    if piece.grain is None:
        return 0.0
    a = math.radians(piece.grain.direction_deg)
    line = LineString([(0.0, 0.0), (math.cos(a), math.sin(a))])
    if p.mirrored:
        line = affinity.scale(line, xfact=-1.0, yfact=1.0, origin=(0.0, 0.0))
    line = affinity.rotate(line, p.rotation_deg, origin=(0.0, 0.0))
    (x0, y0), (x1, y1) = line.coords
    placed_deg = math.degrees(math.atan2(y1 - y0, x1 - x0))
    target = backbone_direction_deg(hide, centre) + (90.0 if piece.grain.across else 0.0)
    return _axis_diff_deg(placed_deg, target)


# --------------------------------------------------------------------------------------------------
# Depth: how far one shape reaches into another, as a length


def _vertex_depth(a, b) -> float:
    """How far the deepest vertex of ``a`` lies inside ``b`` (0 when none is inside)."""
    xy = shapely.get_coordinates(a)
    inside = shapely.contains_xy(b, xy[:, 0], xy[:, 1])
    if not inside.any():
        return 0.0
    return float(shapely.distance(b.boundary, shapely.points(xy[inside])).max())


def _shared_width(shared, tol: float) -> float:
    """Diameter of the widest disc inside ``shared``; 0 when no disc wider than ``tol`` fits."""
    width = 0.0
    for part in shapely.get_parts(shared):
        if part.geom_type != "Polygon" or part.area <= 0.0:
            continue
        if part.buffer(-0.5 * tol).is_empty:
            continue
        radius = shapely.maximum_inscribed_circle(part, tolerance=0.25 * tol).length
        width = max(width, 2.0 * radius, tol * (1.0 + 1e-9))
    return width


def depth(a, b, tol: float) -> float:
    """How far shapes ``a`` and ``b`` reach into each other, in mm (see the module docstring).

    Returns 0 when they only touch or share less than ``tol``; a value above ``tol`` otherwise
    (widths at or below ``tol`` are not measured: they are rounding).
    """
    shared = a.intersection(b)
    if shared.is_empty or shared.area <= 0.0:
        return 0.0
    return max(_shared_width(shared, tol), _vertex_depth(a, b), _vertex_depth(b, a))


# --------------------------------------------------------------------------------------------------
# The rules


class _Checker:
    """Collects violations for one solution; one method per family of rules."""

    def __init__(self, job: Job, solution: Solution) -> None:
        self.job = job
        self.solution = solution
        self.pieces = {p.id: p for p in job.pieces}
        self.hides = {h.id: h for h in job.hides}
        # The float rounding of the measurements themselves (about 1e-13 relative) must not turn
        # a depth of exactly the tolerance into a violation.
        self.tol = length_tolerance(job) * (1.0 + 1e-9)
        self.out: list[Violation] = []

    def add(self, kind: ViolationKind, pieces: list[str], hide: str | None, amount: float,
            message: str) -> None:
        self.out.append(Violation(kind, tuple(pieces), hide, float(amount), message))

    def run(self, drawn: Mapping[tuple[str, int], DrawnOutline] | None) -> list[Violation]:
        groups: dict[tuple[str | None, int], list[tuple[Placement, Polygon]]] = defaultdict(list)
        seen: set[tuple[str, int]] = set()
        self._strip_length()
        for pl in self.solution.placements:
            label = f"{pl.piece_id}#{pl.copy}"
            piece = self.pieces.get(pl.piece_id)
            if piece is None:
                self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, 0,
                         f"unknown piece {pl.piece_id!r}")
                continue
            if not 0 <= pl.copy < piece.n_copies or (pl.piece_id, pl.copy) in seen:
                self.add(ViolationKind.DEMAND, [label], pl.hide_id, 1,
                         f"{label}: copy outside demand ({piece.n_copies}) or placed twice")
                continue
            seen.add((pl.piece_id, pl.copy))
            if not self._stock_known(pl, label):
                continue
            if not all(math.isfinite(v) for v in (pl.x, pl.y, pl.rotation_deg)):
                self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, 0,
                         f"{label}: translation or rotation is not a finite number")
                continue
            poly = _placed(piece, pl)
            self._piece_rules(piece, pl, poly, label)
            if drawn is not None:
                self._drawn(pl, poly, drawn.get((pl.piece_id, pl.copy)), label)
            groups[(pl.hide_id, pl.hide_copy)].append((pl, poly))
        for (hide_id, _copy), items in groups.items():
            self._container(hide_id, items)
            self._pairs(hide_id, items)
        self._groups()
        self._missing(seen)
        return self.out

    def _strip_length(self) -> None:
        length = self.solution.strip_length
        if self.job.is_strip and (length is None or not math.isfinite(length) or length < 0):
            self.add(ViolationKind.UNKNOWN, [], None, 0,
                     f"a strip layout must state a finite strip length, got {length}")

    def _stock_known(self, pl: Placement, label: str) -> bool:
        if self.job.is_strip:
            if pl.hide_id is not None:
                self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, 0,
                         "strip job placement names a hide")
                return False
            return True
        hide = self.hides.get(pl.hide_id or "")
        if hide is None:
            self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, 0, f"unknown hide {pl.hide_id!r}")
            return False
        if not 0 <= pl.hide_copy < hide.stock:
            self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, pl.hide_copy,
                     f"hide copy {pl.hide_copy} beyond stock {hide.stock}")
            return False
        return True

    def _piece_rules(self, piece: Piece, pl: Placement, poly: Polygon, label: str) -> None:
        if not piece.rotations.allows(pl.rotation_deg, ANGLE_TOL_DEG):
            self.add(ViolationKind.ROTATION, [label], pl.hide_id, pl.rotation_deg,
                     f"{label}: rotation {pl.rotation_deg:g} deg is not allowed")
        must = piece.mirrored_copy(pl.copy)
        if must is not None and must != pl.mirrored:
            self.add(ViolationKind.MIRROR, [label], pl.hide_id, 1,
                     f"{label}: must be cut {'mirrored' if must else 'as drawn'}")
        hide = self.hides.get(pl.hide_id or "")
        err = grain_error_deg(piece, pl, hide, poly.centroid)
        if piece.grain is not None and err > piece.grain.tolerance_deg + ANGLE_TOL_DEG:
            self.add(ViolationKind.GRAIN, [label], pl.hide_id, err,
                     f"{label}: grain {err:.2f} deg off the backbone (tolerance "
                     f"{piece.grain.tolerance_deg:g})")
        # A rigid motion keeps the area; the allowance is what moving the boundary by the
        # tolerance could change.
        if abs(poly.area - piece.area) > self.tol * poly.length:
            self.add(ViolationKind.AREA, [label], pl.hide_id, poly.area - piece.area,
                     f"{label}: placed area {poly.area:.3f} differs from {piece.area:.3f}")

    def _drawn(self, pl: Placement, poly: Polygon, drawn: DrawnOutline | None,
               label: str) -> None:
        """The outline a file states must be the piece under the placement's own transform."""
        if drawn is None:
            return
        outer, holes = drawn
        try:
            stated = Polygon(outer, list(holes))
        except (ValueError, TypeError, shapely.errors.GEOSException):
            stated = None
        off = (math.inf if stated is None or stated.is_empty
               else shapely.hausdorff_distance(stated.boundary, poly.boundary))
        if not off <= self.tol:
            self.add(ViolationKind.POLYGON, [label], pl.hide_id, off,
                     f"{label}: the stated polygon is {off:.4g} mm off the piece as placed by its "
                     "own rotation, mirror and translation")

    def _container(self, hide_id: str | None, items: list[tuple[Placement, Polygon]]) -> None:
        margin, defect_margin = self.job.edge_margin, self.job.defect_margin
        if isinstance(self.job.stock, Strip):
            length = self.solution.strip_length
            right = length if length is not None and math.isfinite(length) else math.inf
            for pl, poly in items:
                x0, y0, x1, y1 = poly.bounds
                worst = max(margin - x0, margin - y0, y1 - (self.job.stock.height - margin),
                            x1 - (right - margin))
                if worst > self.tol:
                    kind = (ViolationKind.OUTSIDE if worst > margin + self.tol
                            else ViolationKind.MARGIN)
                    self.add(kind, [f"{pl.piece_id}#{pl.copy}"], None, worst,
                             f"{pl.piece_id}#{pl.copy}: {worst:.4f} mm beyond the strip's "
                             "usable area")
            return
        hide = self.hides[hide_id or ""]
        leather, rim, holes, zones, tree = _hide_hazards(hide)
        reach = max(defect_margin, 0.0) + self.tol  # zones farther than this cannot matter
        for pl, poly in items:
            label = f"{pl.piece_id}#{pl.copy}"
            out = 0.0 if leather.contains(poly) else _outside_depth(poly, leather, self.tol)
            if out > self.tol:
                self.add(ViolationKind.OUTSIDE, [label], hide_id, out,
                         f"{label}: {out:.4f} mm outside the hide or in its holes")
            elif (margin > self.tol and shapely.dwithin(rim, poly, margin - self.tol)
                  and (d := poly.distance(rim)) < margin - self.tol):
                self.add(ViolationKind.MARGIN, [label], hide_id, margin - d,
                         f"{label}: {d:.4f} mm from the hide edge (margin {margin:g})")
            elif (holes is not None and defect_margin > self.tol
                  and shapely.dwithin(holes, poly, defect_margin - self.tol)
                  and (d := poly.distance(holes)) < defect_margin - self.tol):
                self.add(ViolationKind.MARGIN, [label], hide_id, defect_margin - d,
                         f"{label}: {d:.4f} mm from a hole (defect margin {defect_margin:g})")
            piece = self.pieces[pl.piece_id]
            near = sorted(tree.query(poly, predicate="dwithin", distance=reach).tolist()) \
                if tree is not None else []
            for grade, zone in (zones[k] for k in near):
                if not zone_blocks(grade, piece.min_grade):
                    continue
                on = depth(poly, zone, self.tol)
                if grade == 0:
                    d = 0.0 if on > 0 else poly.distance(zone)
                    if on > self.tol or d < defect_margin - self.tol:
                        self.add(ViolationKind.DEFECT, [label], hide_id,
                                 max(on, defect_margin - d),
                                 f"{label}: on or within {defect_margin:g} mm of a defect "
                                 f"({on:.4f} mm onto it, {d:.4f} mm away)")
                elif on > self.tol:
                    self.add(ViolationKind.GRADE, [label], hide_id, on,
                             f"{label}: {on:.4f} mm onto grade {grade}, needs "
                             f"{'the best grade' if piece.min_grade is None else piece.min_grade}")

    def _pairs(self, hide_id: str | None, items: list[tuple[Placement, Polygon]]) -> None:
        gap = self.job.gap_mm
        polys = [poly for _pl, poly in items]
        tree = shapely.STRtree(polys)
        left, right = tree.query(polys, predicate="dwithin", distance=max(gap - self.tol, 0.0))
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            a, b = items[i], items[j]
            labels = [f"{a[0].piece_id}#{a[0].copy}", f"{b[0].piece_id}#{b[0].copy}"]
            into = depth(a[1], b[1], self.tol)
            if into > self.tol:
                self.add(ViolationKind.OVERLAP, labels, hide_id, into,
                         f"{labels[0]} and {labels[1]} overlap by {into:.4f} mm")
                continue
            d = a[1].distance(b[1])
            if gap > self.tol and d < gap - self.tol:
                self.add(ViolationKind.GAP, labels, hide_id, gap - d,
                         f"{labels[0]} and {labels[1]} are {d:.4f} mm apart (gap {gap:g})")

    def _groups(self) -> None:
        where: dict[str, set[tuple[str | None, int]]] = defaultdict(set)
        for pl in self.solution.placements:
            piece = self.pieces.get(pl.piece_id)
            if piece is None or self.job.is_strip:
                continue
            if piece.mirror is Mirror.PAIR:
                where[f"pair {piece.id}#{pl.copy // 2}"].add((pl.hide_id, pl.hide_copy))
            if piece.group is not None:
                where[f"group {piece.group}"].add((pl.hide_id, pl.hide_copy))
        for name, hides in sorted(where.items()):
            if len(hides) > 1:
                self.add(ViolationKind.GROUP, [name], None, len(hides),
                         f"{name} is spread over {len(hides)} hides; it must come from one")

    def _missing(self, seen: set[tuple[str, int]]) -> None:
        reported = {(u.piece_id, u.copy) for u in self.solution.unplaced}
        for piece in self.job.pieces:
            if piece.optional:
                continue
            lost = [c for c in range(piece.n_copies)
                    if (piece.id, c) not in seen and (piece.id, c) not in reported]
            if lost:
                self.add(ViolationKind.MISSING, [f"{piece.id}#{c}" for c in lost], None, len(lost),
                         f"{piece.id}: {len(lost)} copies neither placed nor reported unplaced")


def _outside_depth(poly: Polygon, leather, tol: float) -> float:
    """:func:`depth` of ``poly`` into everything that is not ``leather`` (its complement).

    The complement is unbounded, so a piece any distance away is measured in full: its farthest
    vertex from the leather (2 m off the hide reads 2000 mm, not the width of a padded frame).
    """
    shared = poly.difference(leather)
    if shared.is_empty or shared.area <= 0.0:
        return 0.0
    xy = shapely.get_coordinates(poly)
    out = ~shapely.contains_xy(leather, xy[:, 0], xy[:, 1])
    far = (float(shapely.distance(leather.boundary, shapely.points(xy[out])).max())
           if out.any() else 0.0)
    return max(_shared_width(shared, tol), far, _vertex_depth(leather.boundary, poly))


def _hide_hazards(hide: Hide):
    """(the leather, its outer edge, its holes or None, [(grade, zone)], a tree of the zones).

    All prepared: the rules ask each piece about its own neighbourhood only (the zones near it
    through the tree), so a hide of thousands of defects and pieces is checked in seconds.
    """
    outer = Polygon(hide.outline.outer)
    rim = outer.exterior
    leather = outer
    holes = None
    if hide.outline.holes:
        holes = shapely.union_all([Polygon(h) for h in hide.outline.holes])
        leather = outer.difference(holes)
    zones = []
    for z in hide.zones:
        geom = Polygon(z.outline.outer)
        if z.outline.holes:
            geom = geom.difference(shapely.union_all([Polygon(h) for h in z.outline.holes]))
        zones.append((z.grade, geom))
    shapely.prepare([leather, rim, *([holes] if holes is not None else []),
                     *[g for _grade, g in zones]])
    tree = shapely.STRtree([g for _grade, g in zones]) if zones else None
    return leather, rim, holes, zones, tree


def validate(job: Job, solution: Solution,
             drawn: Mapping[tuple[str, int], DrawnOutline] | None = None) -> list[Violation]:
    """Every violation of the job's rules in the solution; an empty list means valid.

    ``drawn`` maps ``(piece_id, copy)`` to the placed outline a solution file states; each must
    match the piece under its placement (``POLYGON``).
    """
    return _Checker(job, solution).run(drawn)
