"""The exact, independent validator: the judge of every layout leathernest writes.

It rebuilds every placed shape from the job's original outlines with shapely and its own copy of
the placement transform (:func:`_placed`, written with ``shapely.affinity`` and deliberately not
shared with :mod:`leathernest.transform`), so a bug in offsetting, simplification or the Numba
kernels cannot hide itself. It imports the model, the config and shapely; never ``collision`` or
``search``.

Rules checked (``ViolationKind``):

- every placement names a known piece, a copy below its demand, a known hide and hide copy below
  stock; no copy placed twice (``UNKNOWN``, ``DEMAND``);
- rotation in the piece's allowed set, mirroring as its policy says (``ROTATION``, ``MIRROR``);
- grain within tolerance of the backbone segment nearest to the piece (``GRAIN``);
- inside the strip or hide, at least the edge margin from its edge and the defect margin from its
  holes (``OUTSIDE``, ``MARGIN``; both margins default to ``margin_mm``);
- off every grade-0 zone by the defect margin, and not on any zone below the piece's grade
  (``DEFECT``, ``GRADE``);
- any two pieces at least ``gap_mm`` apart (``OVERLAP`` when they share area, ``GAP`` otherwise);
- pairs and same-hide groups on one hide copy (``GROUP``);
- the placed area equal to the piece's area (``AREA``), every demanded copy placed or reported
  unplaced (``MISSING``).

Lengths are compared with a tolerance of ``VALIDATION_REL_TOL`` times the job's size (see
:mod:`leathernest.config`); areas with that tolerance times the size squared.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box

from leathernest.config import ANGLE_TOL_DEG, VALIDATION_REL_TOL
from leathernest.model import Hide, Job, Mirror, Piece, Placement, Solution, Strip, zone_blocks


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
    """The job's size in mm, the base of the relative tolerance."""
    if isinstance(job.stock, Strip):
        return max(job.stock.height, strip_length or 0.0)
    diag = 0.0
    for h in job.stock:
        x0, y0, x1, y1 = h.outline.bbox
        diag = max(diag, math.hypot(x1 - x0, y1 - y0))
    return diag


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
    """Direction of the backbone segment nearest to ``at``; 0 (the x axis) without a backbone."""
    if hide is None or hide.backbone is None:
        return 0.0
    bb = hide.backbone
    best, best_d = 0.0, math.inf
    for (x0, y0), (x1, y1) in pairwise(bb):
        if x0 == x1 and y0 == y1:
            continue
        d = LineString([(x0, y0), (x1, y1)]).distance(at)
        if d < best_d:
            best, best_d = math.degrees(math.atan2(y1 - y0, x1 - x0)), d
    return best


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


class _Checker:
    """Collects violations for one solution; one method per family of rules."""

    def __init__(self, job: Job, solution: Solution) -> None:
        self.job = job
        self.solution = solution
        self.pieces = {p.id: p for p in job.pieces}
        self.hides = {h.id: h for h in job.hides}
        self.tol = VALIDATION_REL_TOL * max(job_scale(job, solution.strip_length), 1.0)
        self.area_tol = self.tol * max(job_scale(job, solution.strip_length), 1.0)
        self.out: list[Violation] = []

    def add(self, kind: ViolationKind, pieces: list[str], hide: str | None, amount: float,
            message: str) -> None:
        self.out.append(Violation(kind, tuple(pieces), hide, float(amount), message))

    def run(self) -> list[Violation]:
        groups: dict[tuple[str | None, int], list[tuple[Placement, Polygon]]] = defaultdict(list)
        seen: set[tuple[str, int]] = set()
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
            groups[(pl.hide_id, pl.hide_copy)].append((pl, poly))
        for (hide_id, _copy), items in groups.items():
            self._container(hide_id, items)
            self._pairs(hide_id, items)
        self._groups()
        self._missing(seen)
        return self.out

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
        if abs(poly.area - piece.area) > max(self.area_tol, 1e-9 * piece.area):
            self.add(ViolationKind.AREA, [label], pl.hide_id, poly.area - piece.area,
                     f"{label}: placed area {poly.area:.3f} differs from {piece.area:.3f}")

    def _container(self, hide_id: str | None, items: list[tuple[Placement, Polygon]]) -> None:
        margin, defect_margin = self.job.edge_margin, self.job.defect_margin
        if isinstance(self.job.stock, Strip):
            length = self.solution.strip_length
            right = math.inf if length is None else length
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
        outside, edge, holes, zones = _hide_hazards(hide)
        for pl, poly in items:
            label = f"{pl.piece_id}#{pl.copy}"
            out_area = poly.intersection(outside).area
            if out_area > self.area_tol:
                self.add(ViolationKind.OUTSIDE, [label], hide_id, out_area,
                         f"{label}: {out_area:.3f} mm² outside the hide or in its holes")
            elif margin > 0 and (d := poly.distance(edge)) < margin - self.tol:
                self.add(ViolationKind.MARGIN, [label], hide_id, margin - d,
                         f"{label}: {d:.3f} mm from the hide edge (margin {margin:g})")
            elif (holes is not None and defect_margin > 0
                  and (d := poly.distance(holes)) < defect_margin - self.tol):
                self.add(ViolationKind.MARGIN, [label], hide_id, defect_margin - d,
                         f"{label}: {d:.3f} mm from a hole (defect margin {defect_margin:g})")
            piece = self.pieces[pl.piece_id]
            for grade, zone in zones:
                if not zone_blocks(grade, piece.min_grade):
                    continue
                on = poly.intersection(zone).area
                if grade == 0:
                    d = poly.distance(zone)
                    if on > self.area_tol or d < defect_margin - self.tol:
                        self.add(ViolationKind.DEFECT, [label], hide_id,
                                 max(on, defect_margin - d),
                                 f"{label}: on or within {defect_margin:g} mm of a defect "
                                 f"({on:.3f} mm² on it, {d:.3f} mm away)")
                elif on > self.area_tol:
                    self.add(ViolationKind.GRADE, [label], hide_id, on,
                             f"{label}: {on:.3f} mm² on grade {grade}, needs "
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
            shared = a[1].intersection(b[1]).area
            if shared > self.area_tol:
                self.add(ViolationKind.OVERLAP, labels, hide_id, shared,
                         f"{labels[0]} and {labels[1]} overlap by {shared:.3f} mm²")
                continue
            d = a[1].distance(b[1])
            if gap > 0 and d < gap - self.tol:
                self.add(ViolationKind.GAP, labels, hide_id, gap - d,
                         f"{labels[0]} and {labels[1]} are {d:.3f} mm apart (gap {gap:g})")

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


def _hide_hazards(hide: Hide):
    """(what lies outside the leather, beyond its edge, its holes or None, [(grade, zone)])."""
    outer = Polygon(hide.outline.outer)
    x0, y0, x1, y1 = outer.bounds
    pad = max(x1 - x0, y1 - y0) + 1.0
    edge = outside = box(x0 - pad, y0 - pad, x1 + pad, y1 + pad).difference(outer)
    holes = None
    if hide.outline.holes:
        holes = shapely.union_all([Polygon(h) for h in hide.outline.holes])
        outside = shapely.union_all([edge, holes])
    zones = []
    for z in hide.zones:
        geom = Polygon(z.outline.outer)
        if z.outline.holes:
            geom = geom.difference(shapely.union_all([Polygon(h) for h in z.outline.holes]))
        zones.append((z.grade, geom))
    return outside, edge, holes, zones


def validate(job: Job, solution: Solution) -> list[Violation]:
    """Every violation of the job's rules in the solution; an empty list means valid."""
    return _Checker(job, solution).run()

