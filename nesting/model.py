"""The domain model: what is cut (pieces), what it is cut from (hides or a strip), and the result.

Read this module first. Everything is an immutable value; construction checks what numpy can check
(finite coordinates, at least three distinct points, non-zero area) so that bad data fails at the
boundary. Topological checks (self-intersection) need shapely and live in
:mod:`leathernest.geometry.shapes`, which the readers call.

Conventions
-----------
- Lengths in millimetres, areas in mm², angles in degrees (``*_deg``).
- x to the right, y up; outer rings counter-clockwise, holes clockwise, no repeated closing point.
- A placement mirrors the piece about its local y axis (x -> -x) when ``mirrored``, then rotates
  it counter-clockwise by ``rotation_deg`` about the local origin, then translates it. The piece
  keeps the coordinates it was drawn in; its local origin is the drawing's origin.
- Grades: higher is better, grade 0 is a hole or defect that is never usable, the unmarked hide is
  the best grade. A piece with ``min_grade`` m may lie on a zone of grade >= m; a piece with
  ``min_grade`` ``None`` needs the best leather and may not touch any zone. :func:`zone_blocks` is
  the one place that decides.
- Copies: a piece with demand d has d copies, numbered 0..d-1. A mirrored pair (``Mirror.PAIR``) has
  2d copies: even copies are cut as drawn, odd copies mirrored, and copies 2k and 2k+1 form pair k,
  which must come from the same hide.

This module imports numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from leathernest.errors import InputError

# --------------------------------------------------------------------------------------------------
# Geometry values


def _as_ring(points: object, what: str) -> np.ndarray:
    """Return points as a read-only float64 (n, 2) array.

    The array has no consecutive or closing duplicates.
    """
    arr = np.array(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(f"{what}: expected a list of [x, y] points, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise InputError(f"{what}: coordinates must be finite numbers")
    if len(arr) > 1:
        keep = np.ones(len(arr), dtype=bool)
        keep[1:] = np.any(arr[1:] != arr[:-1], axis=1)
        arr = arr[keep]
    if len(arr) > 1 and np.array_equal(arr[0], arr[-1]):
        arr = arr[:-1]
    if len(arr) < 3:
        raise InputError(f"{what}: a ring needs at least three distinct points, got {len(arr)}")
    arr.flags.writeable = False
    return arr


def ring_signed_area(ring: np.ndarray) -> float:
    """Shoelace area of a ring: positive when counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _oriented(ring: np.ndarray, ccw: bool, what: str) -> np.ndarray:
    area = ring_signed_area(ring)
    scale = float(np.ptp(ring, axis=0).max()) or 1.0
    if abs(area) <= 1e-12 * scale * scale:
        raise InputError(f"{what}: ring has zero area")
    if (area > 0) != ccw:
        ring = ring[::-1].copy()
        ring.flags.writeable = False
    return ring


@dataclass(frozen=True, slots=True, eq=False)
class Outline:
    """A polygon with holes: ``outer`` counter-clockwise, each hole clockwise, float64 (n, 2)."""

    outer: np.ndarray
    holes: tuple[np.ndarray, ...] = ()
    _area: float = field(default=math.nan, init=False, repr=False, compare=False)
    _bbox: tuple[float, float, float, float] | None = field(default=None, init=False, repr=False,
                                                            compare=False)

    def __post_init__(self) -> None:
        # computed once: the area is read for every copy by searches, reports and the validator
        area = ring_signed_area(self.outer) + sum(ring_signed_area(h) for h in self.holes)
        object.__setattr__(self, "_area", float(area))

    @staticmethod
    def of(outer: object, holes: object = (), what: str = "outline") -> Outline:
        """Build an outline from point lists, fixing orientation and dropping duplicate points."""
        ring = _oriented(_as_ring(outer, what), True, what)
        inner = tuple(
            _oriented(_as_ring(h, f"{what} hole {i}"), False, f"{what} hole {i}")
            for i, h in enumerate(holes)  # type: ignore[arg-type]
        )
        return Outline(ring, inner)

    @property
    def area(self) -> float:
        """Area in mm² (outer minus holes)."""
        return self._area

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) of the outer ring (computed once: read per copy)."""
        if self._bbox is None:
            lo = self.outer.min(axis=0)
            hi = self.outer.max(axis=0)
            object.__setattr__(self, "_bbox", (float(lo[0]), float(lo[1]), float(hi[0]),
                                               float(hi[1])))
        return self._bbox  # type: ignore[return-value]

    @property
    def n_vertices(self) -> int:
        """Vertices of all rings together."""
        return len(self.outer) + sum(len(h) for h in self.holes)


@dataclass(frozen=True, slots=True, eq=False)
class CurvePath:
    """A contour with true arcs, kept for cutter export: vertices plus a bulge per segment.

    The bulge of segment i (from point i to point i+1) is tan(theta/4) of the arc's included angle,
    positive counter-clockwise, 0 for a straight line (the DXF LWPOLYLINE convention). Circles and
    arcs are therefore exact; ellipses and splines are stored as fine polylines.
    """

    points: np.ndarray
    bulges: np.ndarray
    closed: bool

    def __post_init__(self) -> None:
        if self.points.ndim != 2 or self.points.shape[1] != 2 or len(self.points) < 2:
            raise InputError("curve path needs at least two [x, y] points")
        if self.bulges.shape != (len(self.points),):
            raise InputError("curve path needs one bulge per point")

    @staticmethod
    def polyline(points: object, closed: bool) -> CurvePath:
        """A straight-segment path."""
        pts = np.array(points, dtype=np.float64)
        return CurvePath(pts, np.zeros(len(pts)), closed)


class FeatureKind(StrEnum):
    """What an internal feature of a piece is for; decides the cutter layer it is exported on."""

    PUNCH = "punch"  # drill or punch hole (cut by a punch tool)
    CUTOUT = "cutout"  # internal cut-out already part of the outline's holes (kept for true arcs)
    NOTCH = "notch"  # V or slit notch on the boundary
    MARK = "mark"  # internal line or marking drawn with a pen, not cut
    CREASE = "crease"  # fold or crease line
    GRAIN = "grain"  # grain line
    MIRROR_LINE = "mirror_line"  # fold symmetry line of a pattern
    TEXT = "text"  # annotation


@dataclass(frozen=True, slots=True, eq=False)
class Feature:
    """An internal feature kept for export: a path (punch, notch, mark, ...) or a text."""

    kind: FeatureKind
    path: CurvePath | None = None
    text: str = ""
    at: tuple[float, float] | None = None
    layer: str = ""


# --------------------------------------------------------------------------------------------------
# Piece constraints


@dataclass(frozen=True, slots=True)
class Rotations:
    """Rotations a piece may take, in degrees: free, a finite set, closed ranges, or their union.

    Angles are compared modulo 360. ``Rotations()`` (nothing allowed but 0) is never built by
    readers: they use :data:`FREE_ROTATION` or ``Rotations(angles_deg=(...))``.
    """

    free: bool = False
    angles_deg: tuple[float, ...] = ()
    ranges_deg: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        for lo, hi in self.ranges_deg:
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise InputError(f"rotation range [{lo}, {hi}] must have finite lo <= hi")
        if not self.free and not self.angles_deg and not self.ranges_deg:
            raise InputError("a piece must allow at least one rotation")

    def allows(self, rotation_deg: float, tol_deg: float = 1e-6) -> bool:
        """Whether ``rotation_deg`` is allowed, within ``tol_deg``."""
        if self.free:
            return True
        r = rotation_deg % 360.0
        for a in self.angles_deg:
            d = abs((r - a) % 360.0)
            if min(d, 360.0 - d) <= tol_deg:
                return True
        for lo, hi in self.ranges_deg:
            if hi - lo >= 360.0:
                return True
            start = (r - lo) % 360.0
            if start <= hi - lo + tol_deg or start >= 360.0 - tol_deg:
                return True
        return False


FREE_ROTATION = Rotations(free=True)


@dataclass(frozen=True, slots=True)
class Grain:
    """The grain line of a piece: its direction in the drawing, and how far it may turn.

    After placement the grain must lie within ``tolerance_deg`` of the hide's backbone direction
    (read as an axis: either way along it), or of the perpendicular when ``across`` is set.
    """

    direction_deg: float = 0.0
    tolerance_deg: float = 10.0
    across: bool = False

    def __post_init__(self) -> None:
        if not (0.0 <= self.tolerance_deg <= 90.0):
            raise InputError(
                f"grain tolerance must be in [0, 90] degrees, got {self.tolerance_deg}"
            )


class Mirror(StrEnum):
    """Whether a piece may be cut mirrored.

    Leather is cut grain side up: a mirror is a new shape.
    """

    NO = "no"
    ALLOWED = "allowed"  # either hand will do
    PAIR = "pair"  # cut once as drawn and once mirrored, both from the same hide


@dataclass(frozen=True, slots=True, eq=False)
class Piece:
    """A pattern piece of an order: its outline and what the cut must respect.

    ``min_grade`` None means the best grade only. ``group`` names pieces whose copies must all come
    from the same hide (shade matching). ``optional`` pieces are fillers: placed when room is left,
    never counted as missing. ``value`` defaults to the area (knapsack objective).
    """

    id: str
    outline: Outline
    name: str = ""
    demand: int = 1
    min_grade: int | None = None
    rotations: Rotations = FREE_ROTATION
    grain: Grain | None = None
    mirror: Mirror = Mirror.NO
    group: str | None = None
    priority: int = 0
    optional: bool = False
    value: float | None = None
    features: tuple[Feature, ...] = ()
    cut_paths: tuple[CurvePath, ...] = ()
    # The pattern set (product) and the graded size the piece belongs to, as a pattern file or
    # job names them; per-product yield and size selection read these (None: not given).
    product: str | None = None
    size: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise InputError("a piece needs a non-empty id")
        if self.demand < 0:
            raise InputError(f"piece {self.id}: demand must be >= 0, got {self.demand}")
        if self.min_grade is not None and self.min_grade < 1:
            raise InputError(f"piece {self.id}: min_grade must be >= 1 (grade 0 is a hole)")
        if not self.name:
            object.__setattr__(self, "name", self.id)

    @property
    def n_copies(self) -> int:
        """How many shapes are cut: the demand, twice for a mirrored pair."""
        return self.demand * (2 if self.mirror is Mirror.PAIR else 1)

    @property
    def area(self) -> float:
        """Area of one copy in mm²."""
        return self.outline.area

    @property
    def worth(self) -> float:
        """Value of one copy for knapsack objectives (area when no value is given)."""
        return self.area if self.value is None else self.value

    def mirrored_copy(self, copy: int) -> bool | None:
        """Whether this copy must be mirrored (pairs), or None when the placement may choose."""
        if self.mirror is Mirror.PAIR:
            return copy % 2 == 1
        if self.mirror is Mirror.NO:
            return False
        return None


# --------------------------------------------------------------------------------------------------
# Stock


@dataclass(frozen=True, slots=True, eq=False)
class Zone:
    """An area of a hide with a grade: 0 is a hole or defect, higher is better."""

    outline: Outline
    grade: int

    def __post_init__(self) -> None:
        if self.grade < 0:
            raise InputError(f"zone grade must be >= 0, got {self.grade}")


def zone_blocks(zone_grade: int, min_grade: int | None) -> bool:
    """Whether a zone of ``zone_grade`` is forbidden to a piece needing ``min_grade``.

    Grade 0 blocks everything; a piece needing the best grade (None) is blocked by every zone;
    otherwise zones below the piece's minimum block it.
    """
    if zone_grade == 0 or min_grade is None:
        return True
    return zone_grade < min_grade


@dataclass(frozen=True, slots=True, eq=False)
class Hide:
    """A hide (or any irregular bin): outline with holes, graded zones, backbone, price, stock.

    ``backbone`` is a polyline (float64 (k, 2)); the grain of a piece is measured against the
    backbone segment nearest to the piece. A hide without one is taken as lying with its backbone
    along x. ``cost`` is the price of the whole hide; ``price_per_m2`` prices leather area (either
    may be None).
    """

    id: str
    outline: Outline
    zones: tuple[Zone, ...] = ()
    backbone: np.ndarray | None = None
    price_per_m2: float | None = None
    cost: float | None = None
    stock: int = 1
    name: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            raise InputError("a hide needs a non-empty id")
        if self.stock < 0:
            raise InputError(f"hide {self.id}: stock must be >= 0, got {self.stock}")
        if self.backbone is not None:
            bb = np.array(self.backbone, dtype=np.float64)
            if bb.ndim != 2 or bb.shape[1] != 2 or len(bb) < 2 or not np.isfinite(bb).all():
                raise InputError(f"hide {self.id}: backbone must be a polyline of >= 2 points")
            bb.flags.writeable = False
            object.__setattr__(self, "backbone", bb)
        if not self.name:
            object.__setattr__(self, "name", self.id)

    @property
    def area(self) -> float:
        """Gross area in mm² (outline minus its holes; zones not subtracted)."""
        return self.outline.area


def hide_cost(hide: Hide) -> float | None:
    """Price of one copy of a hide, or None when the job gives no price."""
    if hide.cost is not None:
        return hide.cost
    if hide.price_per_m2 is not None:
        return hide.price_per_m2 * hide.area / 1e6
    return None


@dataclass(frozen=True, slots=True)
class Strip:
    """A strip of fixed height and open length, for strip packing (minimise the length used)."""

    height: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.height) and self.height > 0):
            raise InputError(f"strip height must be a positive number, got {self.height}")


class Objective(StrEnum):
    """What the search optimises."""

    MIN_LENGTH = "min_length"  # strip packing
    MIN_HIDES = "min_hides"  # place the whole order on the fewest hides
    MIN_COST = "min_cost"  # ... on the cheapest hides
    MAX_AREA = "max_area"  # fill the given hides: most leather area placed
    MAX_VALUE = "max_value"  # knapsack: most valuable subset


@dataclass(frozen=True, slots=True, eq=False)
class Job:
    """A nesting task: pieces, stock (hides or a strip), gap and margins, limits and objective.

    ``gap_mm`` is the clear distance kept between two pieces (the knife's need); ``margin_mm`` the
    distance kept from the hide's edge, holes and blocking zones (and from the strip's edges).
    Cutting rooms often keep more from a ragged edge than from a scar, or the other way round:
    ``edge_margin_mm`` (hide and strip edges) and ``defect_margin_mm`` (holes and blocking zones)
    override ``margin_mm`` where given; :attr:`edge_margin` and :attr:`defect_margin` resolve them.
    """

    name: str
    pieces: tuple[Piece, ...]
    stock: tuple[Hide, ...] | Strip
    gap_mm: float = 0.0
    margin_mm: float = 0.0
    time_limit_s: float = 60.0
    seed: int = 0
    objective: Objective | None = None
    edge_margin_mm: float | None = None
    defect_margin_mm: float | None = None
    # piece id -> piece, built once: writers ask for every placement's piece (5,000 placements
    # took 1.5 s when the index was rebuilt per call)
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.pieces:
            raise InputError(f"job {self.name!r} has no pieces")
        object.__setattr__(self, "_index", {p.id: p for p in self.pieces})
        ids = [p.id for p in self.pieces]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise InputError(f"job {self.name!r}: duplicate piece ids {dup}")
        if isinstance(self.stock, tuple):
            if not self.stock:
                raise InputError(f"job {self.name!r} has no hides")
            hids = [h.id for h in self.stock]
            if len(set(hids)) != len(hids):
                raise InputError(f"job {self.name!r}: duplicate hide ids")
        for name, value in (("gap_mm", self.gap_mm), ("margin_mm", self.margin_mm),
                            ("edge_margin_mm", self.edge_margin), ("defect_margin_mm",
                                                                   self.defect_margin)):
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"job {self.name!r}: {name} must be >= 0, got {value}")
        if not (self.time_limit_s > 0):
            raise InputError(f"job {self.name!r}: time limit must be positive")
        if self.objective is None:
            default = Objective.MIN_LENGTH if self.is_strip else Objective.MIN_HIDES
            object.__setattr__(self, "objective", default)

    @property
    def edge_margin(self) -> float:
        """Distance kept from the hide's (or strip's) edge, mm."""
        return self.margin_mm if self.edge_margin_mm is None else self.edge_margin_mm

    @property
    def defect_margin(self) -> float:
        """Distance kept from the hide's holes and from zones that block a piece, mm."""
        return self.margin_mm if self.defect_margin_mm is None else self.defect_margin_mm

    @property
    def is_strip(self) -> bool:
        """Whether this is a strip-packing job."""
        return isinstance(self.stock, Strip)

    @property
    def hides(self) -> tuple[Hide, ...]:
        """The hides of a hide job (empty for a strip job)."""
        return () if isinstance(self.stock, Strip) else self.stock

    def piece(self, piece_id: str) -> Piece:
        """The piece with this id (KeyError when unknown)."""
        return self._piece_index()[piece_id]

    def _piece_index(self) -> dict[str, Piece]:
        return self._index

    @property
    def demanded_area(self) -> float:
        """Area of every copy of every piece, mm²."""
        return sum(p.area * p.n_copies for p in self.pieces)


# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one copy of a piece goes: hide (None for a strip), mirror, rotation, translation."""

    piece_id: str
    copy: int
    hide_id: str | None
    rotation_deg: float
    mirrored: bool
    x: float
    y: float
    hide_copy: int = 0


@dataclass(frozen=True, slots=True)
class HideLayout:
    """The placements on one hide copy (or on the strip, with ``hide_id`` None)."""

    hide_id: str | None
    placements: tuple[Placement, ...]
    hide_copy: int = 0


class UnplacedReason(StrEnum):
    """Why a copy was not placed; reported with the piece's name, never dropped silently."""

    TOO_LARGE = "too_large"  # larger than every usable hide area
    NO_USABLE_GRADE = "no_usable_grade"  # no hide has enough leather of the grade it needs
    NO_ROOM_ON_GRADE = "no_room_on_grade"  # that leather exists, in no part it fits into
    NO_ROOM = "no_room"  # the search found no place for it
    TIME_LIMIT = "time_limit"  # the time ran out before it was tried
    GROUP = "group"  # its same-hide group or pair could not be kept together
    NO_ORIENTATION = "no_orientation"  # rotations and grain leave no allowed angle


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A copy of a piece that is not in the layout, and why."""

    piece_id: str
    copy: int
    reason: UnplacedReason


@dataclass(frozen=True, slots=True)
class Solution:
    """A finished layout: placements per hide (or on the strip), what is unplaced, and figures.

    ``metrics`` is filled by :mod:`leathernest.report.metrics` (density, utilisation per hide and
    overall, area by grade, cost); ``engine`` names what made it and ``config`` how.
    """

    job_name: str
    kind: str  # "strip" or "hides"
    layouts: tuple[HideLayout, ...]
    unplaced: tuple[Unplaced, ...] = ()
    strip_length: float | None = None
    metrics: Mapping[str, object] = field(default_factory=dict)
    seed: int = 0
    elapsed_s: float = 0.0
    version: str = ""
    engine: str = ""
    config: Mapping[str, object] = field(default_factory=dict)

    @property
    def placements(self) -> tuple[Placement, ...]:
        """Every placement of every layout, in order."""
        return tuple(p for lay in self.layouts for p in lay.placements)
