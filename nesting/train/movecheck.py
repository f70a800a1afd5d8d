"""Incremental checks: the rules of the moved pieces only, with the exact validator's geometry.

A trainee moves one piece at a time. Validating the whole layout on every move costs what the
whole layout costs (the 66-piece demo order: about 80-180 ms, a 250-piece order several times
that), and a class of 30 makes 30 moves a second. Here a move costs what the moved piece's
surroundings cost:

- the hide's hazards (outside, edge, holes, zones) are built and prepared once per hide and kept
  (:class:`PreparedJob`), zones with their bounding boxes;
- neighbours are found by a conservative disc test in numpy over every placement of the same hide
  copy (each piece lies inside the disc of its farthest vertex from its local origin, whatever
  its rotation and mirror), and only they are built as shapes;
- every rule is then decided exactly as :func:`leathernest.validate.validate` decides it, with the
  validator's own shape (:func:`~leathernest.validate.placed_shape`), grain measure and tolerance
  (:func:`~leathernest.validate.length_tolerance`); a zone or neighbour skipped by a box test is
  one the validator would find clear too.

How deep a piece reaches into a neighbour, a fault or out of the leather (:func:`depth`) is the
validator's measure with one difference, in the amount only: the widest disc inside the shared
region is found to :data:`DISC_TOL_MM` (the validator refines it to a quarter of its length
tolerance, some 0.5 µm, which took 8 ms per overlapping pair and most of a move's time). Whether
there is a violation is decided exactly as the validator decides it (the region survives an
erosion by half the tolerance, or a vertex lies deeper than the tolerance); the amount a trainee
reads, rounded to 0.1 mm, differs from the validator's by at most :data:`DISC_TOL_MM`.

What :func:`check_moved` answers: every violation naming a moved piece (its own rules, its
container, each neighbour it comes too close to), plus the rules of the whole layout that need no
geometry (unknown pieces and hides, copies placed twice, pairs and groups spread over hides). A
page keeps the other pieces' answers from before and replaces those of the moved pieces:
``tests/train/test_movecheck.py`` checks on random layouts that this equals the whole validation.
The whole layout is validated again on submit.

Imports the model, the config, the validator and shapely.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from leathernest.config import ANGLE_TOL_DEG
from leathernest.model import Hide, Job, Mirror, Piece, Placement, zone_blocks
from leathernest.validate import (
    Violation,
    ViolationKind,
    grain_error_deg,
    length_tolerance,
    placed_shape,
)

# How finely the widest disc inside an overlap is measured (mm): far below the 0.1 mm a trainee
# reads, and a hundred times coarser than the validator's refinement (module docstring).
DISC_TOL_MM = 0.005
# Kinds decided without geometry over the whole layout (answered on every check).
GLOBAL_KINDS = frozenset({ViolationKind.UNKNOWN, ViolationKind.DEMAND, ViolationKind.GROUP})


def _vertex_depth(a, b) -> float:
    """How far the deepest vertex of ``a`` lies inside ``b`` (the validator's measure)."""
    xy = shapely.get_coordinates(a)
    inside = shapely.contains_xy(b, xy[:, 0], xy[:, 1])
    if not inside.any():
        return 0.0
    return float(shapely.distance(b.boundary, shapely.points(xy[inside])).max())


def depth(a, b, tol: float) -> float:
    """How far ``a`` and ``b`` reach into each other (mm).

    The validator's decision, its amount to :data:`DISC_TOL_MM` (module docstring).
    """
    shared = a.intersection(b)
    if shared.is_empty or shared.area <= 0.0:
        return 0.0
    width = 0.0
    for part in shapely.get_parts(shared):
        if part.geom_type != "Polygon" or part.area <= 0.0:
            continue
        if part.buffer(-0.5 * tol).is_empty:
            continue
        radius = shapely.maximum_inscribed_circle(part, tolerance=max(0.25 * tol, DISC_TOL_MM))
        width = max(width, 2.0 * radius.length, tol * (1.0 + 1e-9))
    return max(width, _vertex_depth(a, b), _vertex_depth(b, a))


@dataclass
class HideHazards:
    """A hide's hazards as the validator builds them, prepared once, zones with their boxes."""

    outside: Polygon
    edge: Polygon
    holes: Polygon | None
    zones: list[tuple[int, Polygon]]
    zone_boxes: np.ndarray  # float64[n_zones, 4]: minx, miny, maxx, maxy


def hide_hazards(hide: Hide) -> HideHazards:
    """(outside the leather, beyond its edge, its holes, the zones), as the validator has them."""
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
    shapely.prepare([outside, edge, *([holes] if holes is not None else []),
                     *[g for _grade, g in zones]])
    boxes = np.array([g.bounds for _grade, g in zones], dtype=np.float64).reshape(-1, 4)
    return HideHazards(outside, edge, holes, zones, boxes)


@dataclass
class PreparedJob:
    """What every check of one job reuses: pieces, hides, tolerance, hazards, piece radii."""

    job: Job
    pieces: dict[str, Piece] = field(init=False)
    hides: dict[str, Hide] = field(init=False)
    tol: float = field(init=False)
    radius: dict[str, float] = field(init=False)
    _hazards: dict[str, HideHazards] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.pieces = {p.id: p for p in self.job.pieces}
        self.hides = {h.id: h for h in self.job.hides}
        # The validator's tolerance, with its allowance for the rounding of the measurements.
        self.tol = length_tolerance(self.job) * (1.0 + 1e-9)
        self.radius = {}
        for p in self.job.pieces:
            rings = [p.outline.outer, *p.outline.holes]
            self.radius[p.id] = max(float(np.hypot(r[:, 0], r[:, 1]).max()) for r in rings)

    def hazards(self, hide_id: str) -> HideHazards:
        """The hide's hazards (built on first use)."""
        if hide_id not in self._hazards:
            self._hazards[hide_id] = hide_hazards(self.hides[hide_id])
        return self._hazards[hide_id]


def _label(p: Placement) -> str:
    return f"{p.piece_id}#{p.copy}"


class _Moves:
    """The checks of one call (one method per family of rules, as the validator's checker)."""

    def __init__(self, prep: PreparedJob) -> None:
        self.prep = prep
        self.job = prep.job
        self.tol = prep.tol
        self.out: list[Violation] = []

    def add(self, kind: ViolationKind, pieces: list[str], hide: str | None, amount: float,
            message: str) -> None:
        self.out.append(Violation(kind, tuple(pieces), hide, float(amount), message))

    def known(self, placements: list[Placement]) -> list[Placement]:
        """The bookkeeping rules over every placement; the placements with geometry to check."""
        seen: set[tuple[str, int]] = set()
        good = []
        for pl in placements:
            label = _label(pl)
            piece = self.prep.pieces.get(pl.piece_id)
            if piece is None:
                self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, 0,
                         f"unknown piece {pl.piece_id!r}")
                continue
            if not 0 <= pl.copy < piece.n_copies or (pl.piece_id, pl.copy) in seen:
                self.add(ViolationKind.DEMAND, [label], pl.hide_id, 1,
                         f"{label}: copy outside demand ({piece.n_copies}) or placed twice")
                continue
            seen.add((pl.piece_id, pl.copy))
            hide = self.prep.hides.get(pl.hide_id or "")
            if hide is None:
                self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, 0,
                         f"unknown hide {pl.hide_id!r}")
                continue
            if not 0 <= pl.hide_copy < hide.stock:
                self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, pl.hide_copy,
                         f"hide copy {pl.hide_copy} beyond stock {hide.stock}")
                continue
            if not all(math.isfinite(v) for v in (pl.x, pl.y, pl.rotation_deg)):
                self.add(ViolationKind.UNKNOWN, [label], pl.hide_id, 0,
                         f"{label}: translation or rotation is not a finite number")
                continue
            good.append(pl)
        return good

    def piece_rules(self, piece: Piece, pl: Placement, poly: Polygon, label: str) -> None:
        if not piece.rotations.allows(pl.rotation_deg, ANGLE_TOL_DEG):
            self.add(ViolationKind.ROTATION, [label], pl.hide_id, pl.rotation_deg,
                     f"{label}: rotation {pl.rotation_deg:g} deg is not allowed")
        must = piece.mirrored_copy(pl.copy)
        if must is not None and must != pl.mirrored:
            self.add(ViolationKind.MIRROR, [label], pl.hide_id, 1,
                     f"{label}: must be cut {'mirrored' if must else 'as drawn'}")
        hide = self.prep.hides.get(pl.hide_id or "")
        err = grain_error_deg(piece, pl, hide, poly.centroid)
        if piece.grain is not None and err > piece.grain.tolerance_deg + ANGLE_TOL_DEG:
            self.add(ViolationKind.GRAIN, [label], pl.hide_id, err,
                     f"{label}: grain {err:.2f} deg off the backbone (tolerance "
                     f"{piece.grain.tolerance_deg:g})")
        if abs(poly.area - piece.area) > self.tol * poly.length:
            self.add(ViolationKind.AREA, [label], pl.hide_id, poly.area - piece.area,
                     f"{label}: placed area {poly.area:.3f} differs from {piece.area:.3f}")

    def container(self, piece: Piece, pl: Placement, poly: Polygon, label: str) -> None:
        job, tol, hide_id = self.job, self.tol, pl.hide_id
        margin, defect_margin = job.edge_margin, job.defect_margin
        hz = self.prep.hazards(hide_id or "")
        out = depth(poly, hz.outside, tol) if hz.outside.intersects(poly) else 0.0
        if out > tol:
            self.add(ViolationKind.OUTSIDE, [label], hide_id, out,
                     f"{label}: {out:.4f} mm outside the hide or in its holes")
        elif margin > tol and (d := poly.distance(hz.edge)) < margin - tol:
            self.add(ViolationKind.MARGIN, [label], hide_id, margin - d,
                     f"{label}: {d:.4f} mm from the hide edge (margin {margin:g})")
        elif (hz.holes is not None and defect_margin > tol
              and (d := poly.distance(hz.holes)) < defect_margin - tol):
            self.add(ViolationKind.MARGIN, [label], hide_id, defect_margin - d,
                     f"{label}: {d:.4f} mm from a hole (defect margin {defect_margin:g})")
        if not hz.zones:
            return
        # Zones farther than the defect margin (box to box) can neither hold nor be near the
        # piece: the validator finds them clear; only the others are measured.
        x0, y0, x1, y1 = poly.bounds
        reach = max(defect_margin, 0.0) + tol
        b = hz.zone_boxes
        near = np.flatnonzero((b[:, 0] <= x1 + reach) & (b[:, 2] >= x0 - reach)
                              & (b[:, 1] <= y1 + reach) & (b[:, 3] >= y0 - reach))
        for k in near.tolist():
            grade, zone = hz.zones[k]
            if not zone_blocks(grade, piece.min_grade):
                continue
            on = depth(poly, zone, tol)
            if grade == 0:
                d = 0.0 if on > 0 else poly.distance(zone)
                if on > tol or d < defect_margin - tol:
                    self.add(ViolationKind.DEFECT, [label], hide_id, max(on, defect_margin - d),
                             f"{label}: on or within {defect_margin:g} mm of a defect "
                             f"({on:.4f} mm onto it, {d:.4f} mm away)")
            elif on > tol:
                self.add(ViolationKind.GRADE, [label], hide_id, on,
                         f"{label}: {on:.4f} mm onto grade {grade}, needs "
                         f"{'the best grade' if piece.min_grade is None else piece.min_grade}")

    def pair(self, a: tuple[Placement, Polygon], b: tuple[Placement, Polygon]) -> None:
        gap, tol = self.job.gap_mm, self.tol
        if not a[1].dwithin(b[1], max(gap - tol, 0.0)):
            return
        labels = [_label(a[0]), _label(b[0])]
        hide_id = a[0].hide_id
        into = depth(a[1], b[1], tol)
        if into > tol:
            self.add(ViolationKind.OVERLAP, labels, hide_id, into,
                     f"{labels[0]} and {labels[1]} overlap by {into:.4f} mm")
            return
        d = a[1].distance(b[1])
        if gap > tol and d < gap - tol:
            self.add(ViolationKind.GAP, labels, hide_id, gap - d,
                     f"{labels[0]} and {labels[1]} are {d:.4f} mm apart (gap {gap:g})")

    def groups(self, placements: list[Placement]) -> None:
        where: dict[str, set[tuple[str | None, int]]] = defaultdict(set)
        for pl in placements:
            piece = self.prep.pieces.get(pl.piece_id)
            if piece is None:
                continue
            if piece.mirror is Mirror.PAIR:
                where[f"pair {piece.id}#{pl.copy // 2}"].add((pl.hide_id, pl.hide_copy))
            if piece.group is not None:
                where[f"group {piece.group}"].add((pl.hide_id, pl.hide_copy))
        for name, hides in sorted(where.items()):
            if len(hides) > 1:
                self.add(ViolationKind.GROUP, [name], None, len(hides),
                         f"{name} is spread over {len(hides)} hides; it must come from one")


def check_moved(prep: PreparedJob, placements: list[Placement],
                moved: set[tuple[str, int]]) -> list[Violation]:
    """The violations of the moved pieces (``(piece_id, copy)``) and the layout-wide bookkeeping.

    Pairs are reported with the two pieces in the layout's order, as the validator does.
    """
    m = _Moves(prep)
    good = m.known(placements)
    m.groups(placements)
    index = {(pl.piece_id, pl.copy): i for i, pl in enumerate(good)}
    targets = sorted({index[k] for k in moved if k in index})
    if not targets:
        return m.out
    xs = np.array([pl.x for pl in good], dtype=np.float64)
    ys = np.array([pl.y for pl in good], dtype=np.float64)
    radius = np.array([prep.radius[pl.piece_id] for pl in good], dtype=np.float64)
    stock = [(pl.hide_id, pl.hide_copy) for pl in good]
    shapes: dict[int, Polygon] = {}

    def shape(i: int) -> Polygon:
        if i not in shapes:
            shapes[i] = placed_shape(prep.pieces[good[i].piece_id], good[i])
        return shapes[i]

    reach = max(prep.job.gap_mm, 0.0) + 2.0 * prep.tol + 1e-6
    done: set[tuple[int, int]] = set()
    for i in targets:
        pl, piece = good[i], prep.pieces[good[i].piece_id]
        poly, label = shape(i), _label(pl)
        m.piece_rules(piece, pl, poly, label)
        m.container(piece, pl, poly, label)
        close = np.flatnonzero(np.hypot(xs - xs[i], ys - ys[i]) <= radius + radius[i] + reach)
        for j in close.tolist():
            if j == i or stock[j] != stock[i] or (min(i, j), max(i, j)) in done:
                continue
            done.add((min(i, j), max(i, j)))
            a, b = (i, j) if i < j else (j, i)
            m.pair((good[a], shape(a)), (good[b], shape(b)))
    return m.out
