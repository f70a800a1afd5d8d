"""The working state of a strip search: the copies to place, their orientations, the engine.

Private to :mod:`leathernest.search` (the house style's ``NestState``): a :class:`StripItems`
describes once what every copy may do (piece, copy index, prepared shape, convex hull, allowed
orientation rows), a :class:`NestState` holds the mutable layout (a ``CollisionEngine`` with every
copy registered under its index, and the placements as float64[n, 5] rows
``(rotation_deg, mirrored, x, y, orientation row)``), and :class:`StateSnapshot` saves it cheaply
(jagua-rs ``Layout.save/restore``: only the dynamic part is copied).

Orientation rows (float64[m, 3]: lo_deg, hi_deg, mirrored) unify the rotation rules of a piece:
a finite set gives one row per angle, ranges and free rotation one row per range, each for every
allowed mirror state (Mirror.PAIR: the copy's parity decides; Mirror.ALLOWED: both). Grain on a
strip is measured against the x axis: a grain piece keeps only the angles (or the parts of ranges)
that bring its grain within tolerance of the x axis (or of the y axis, ``across``), read as an
undirected axis, as the validator does.

Imports numpy, shapely, the model and the collision engine; never numba directly.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import shapely

from leathernest.collision.engine import CollisionEngine, Snapshot
from leathernest.collision.prepare import PreparedShape, ShapeArrays, poles_of, shape_arrays
from leathernest.config import ANGLE_TOL_DEG
from leathernest.geometry.transform import placed_direction_deg
from leathernest.model import Job, Piece, Strip

# Angles sampled for a finite-set check of grain and ranges are kept this far (degrees) inside
# their bounds, so that rounding in the validator's own transform can never push them out.
RANGE_INSET_DEG = 1e-4


@dataclass(frozen=True, eq=False)
class StripItems:
    """Every copy to place, with its shape and the orientations it may take (immutable)."""

    job: Job
    pieces: tuple[Piece, ...]  # per copy
    copies: tuple[int, ...]  # copy index within its piece
    shape_of: tuple[int, ...]  # per copy: index into shapes
    shapes: tuple[PreparedShape, ...]  # per piece of the job
    hulls: tuple[np.ndarray, ...]  # per piece: float64[2, h] hull of the stock-inflated outline
    orients: tuple[np.ndarray, ...]  # per copy: float64[m, 3] (lo_deg, hi_deg, mirrored)
    min_dims: np.ndarray  # per copy: smaller side of the piece's bbox, mm
    areas: np.ndarray  # per copy: area of the original outline, mm²
    unplaceable: tuple[int, ...]  # copies that fit in no allowed orientation

    @property
    def n(self) -> int:
        """Number of copies."""
        return len(self.pieces)


def _axis_diff(a: float, b: float) -> float:
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def _grain_ok(piece: Piece, rotation_deg: float, mirrored: bool) -> bool:
    if piece.grain is None:
        return True
    got = placed_direction_deg(piece.grain.direction_deg, rotation_deg, mirrored)
    target = 90.0 if piece.grain.across else 0.0
    return _axis_diff(got, target) <= piece.grain.tolerance_deg


def _grain_ranges(piece: Piece, mirrored: bool) -> list[tuple[float, float]]:
    """Rotation ranges (degrees, within [0, 720)) that keep the grain within tolerance."""
    assert piece.grain is not None
    base = placed_direction_deg(piece.grain.direction_deg, 0.0, mirrored)
    target = 90.0 if piece.grain.across else 0.0
    tol = max(piece.grain.tolerance_deg - RANGE_INSET_DEG, 0.0)
    out = []
    for flip in (0.0, 180.0):
        centre = (target + flip - base) % 360.0
        out.append((centre - tol, centre + tol))
    return out


def _intersect(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """Intersections of two angle ranges (modulo 360), as ranges within a's numbers."""
    out = []
    for shift in (-720.0, -360.0, 0.0, 360.0, 720.0):
        lo, hi = max(a[0], b[0] + shift), min(a[1], b[1] + shift)
        if lo <= hi:
            out.append((lo, hi))
    return out


def orientation_rows(piece: Piece, mirrored_options: tuple[bool, ...]) -> np.ndarray:
    """float64[m, 3] rows (lo_deg, hi_deg, mirrored) of everything the copy may take."""
    rows: list[tuple[float, float, float]] = []
    r = piece.rotations
    for mir in mirrored_options:
        ranges: list[tuple[float, float]] = []
        if r.free:
            ranges.append((0.0, 360.0))
        else:
            for lo, hi in r.ranges_deg:
                ranges.append((lo + RANGE_INSET_DEG, hi - RANGE_INSET_DEG) if hi > lo else (lo, hi))
            rows.extend((a, a, float(mir)) for a in r.angles_deg if _grain_ok(piece, a, mir))
        if piece.grain is not None:
            grain = _grain_ranges(piece, mir)
            ranges = [c for rg in ranges for g in grain for c in _intersect(g, rg)]
        for lo, hi in ranges:
            if hi - lo >= 360.0 - 1e-9:
                hi = lo + 360.0
            rows.append((lo, hi, float(mir)))
    out: list[tuple[float, float, float]] = []
    for row in rows:
        if row[1] >= row[0] and all(
            abs(row[0] - o[0]) > ANGLE_TOL_DEG
            or abs(row[1] - o[1]) > ANGLE_TOL_DEG
            or row[2] != o[2]
            for o in out
        ):
            out.append(row)
    return np.array(out, dtype=np.float64).reshape(-1, 3)


def _mirror_options(piece: Piece, copy: int) -> tuple[bool, ...]:
    must = piece.mirrored_copy(copy)
    return (False, True) if must is None else (must,)


def _fits(hull: np.ndarray, rows: np.ndarray, height: float) -> np.ndarray:
    """Rows in which the piece's height fits the strip's usable height (sampled for ranges)."""
    keep = np.zeros(len(rows), dtype=bool)
    for i, (lo, hi, mir) in enumerate(rows):
        for a in np.linspace(lo, hi, 1 if hi == lo else 73):
            t = math.radians(a)
            x = -hull[0] if mir else hull[0]
            y = math.sin(t) * x + math.cos(t) * hull[1]
            if y.max() - y.min() < height:
                keep[i] = True
                break
    return keep


def prepare_piece(engine: CollisionEngine, piece: Piece,
                  poles: tuple[int, float, float] | None) -> PreparedShape:
    """The engine's prepared shape, with more poles when asked (max, coverage, min fraction).

    The overlap proxy is only as good as the poles cover the shape: a collision in a part no
    pole covers gets the proxy's small constant floor, with no pull out of it. The engine caps
    poles at 6 (85 % coverage) for speed; Sparrow's surrogate uses up to 64 (jagua-rs
    ``n_pole_limits``). The poles are recomputed here with :func:`poles_of` on the same
    inflated outlines, so collision answers do not change, only the proxy's resolution.
    """
    base = engine.prepare(piece)
    if poles is None:
        return base
    n, cover, frac = poles

    def more(arr: ShapeArrays) -> ShapeArrays:
        return shape_arrays(arr.polygon, poles_of(arr.polygon, n, cover, frac))

    fp = more(base.for_pieces)
    fs = fp if base.same else more(base.for_stock)
    return dataclasses.replace(base, for_pieces=fp, for_stock=fs)


def build_items(job: Job, engine: CollisionEngine,
                poles: tuple[int, float, float] | None = None) -> StripItems:
    """Prepare every piece once and list every copy with its orientations."""
    assert isinstance(job.stock, Strip)
    shapes = tuple(prepare_piece(engine, p, poles) for p in job.pieces)
    hulls = []
    for s in shapes:
        h = shapely.convex_hull(s.for_stock.polygon)
        hulls.append(np.ascontiguousarray(np.asarray(h.exterior.coords)[:-1].T, dtype=np.float64))
    usable_h = float(engine.static.box[3] - engine.static.box[1])
    pieces, copies, shape_of, orients, min_dims, areas, bad = [], [], [], [], [], [], []
    for i, p in enumerate(job.pieces):
        for c in range(p.n_copies):
            rows = orientation_rows(p, _mirror_options(p, c))
            rows = rows[_fits(hulls[i], rows, usable_h)] if len(rows) else rows
            if len(rows) == 0:
                bad.append(len(pieces))
            pieces.append(p)
            copies.append(c)
            shape_of.append(i)
            orients.append(np.ascontiguousarray(rows))
            x0, y0, x1, y1 = p.outline.bbox
            min_dims.append(min(x1 - x0, y1 - y0))
            areas.append(p.area)
    return StripItems(job, tuple(pieces), tuple(copies), tuple(shape_of), shapes, tuple(hulls),
                      tuple(orients), np.array(min_dims), np.array(areas), tuple(bad))


@dataclass(frozen=True)
class StateSnapshot:
    """A saved layout: engine dynamic state, placements and strip length."""

    engine: Snapshot
    place: np.ndarray
    length: float


class NestState:
    """The mutable layout: every placeable copy registered in the engine under its index."""

    def __init__(self, items: StripItems, engine: CollisionEngine) -> None:
        self.items = items
        self.engine = engine
        self.place = np.zeros((items.n, 5), dtype=np.float64)
        self.active = np.array([k not in set(items.unplaceable) for k in range(items.n)])

    @property
    def length(self) -> float:
        """The strip length the engine currently enforces."""
        return self.engine.strip_length

    def shape(self, k: int) -> PreparedShape:
        """The prepared shape of copy k."""
        return self.items.shapes[self.items.shape_of[k]]

    def put(self, k: int, row: np.ndarray) -> None:
        """Place (or move) copy k at row (rotation_deg, mirrored, x, y, orientation row)."""
        self.place[k] = row
        r, m, x, y = float(row[0]), bool(row[1] != 0.0), float(row[2]), float(row[3])
        if self.engine.is_placed(k):
            self.engine.move(k, r, m, x, y)
        else:
            self.engine.add(k, self.shape(k), r, m, x, y)

    def save(self) -> StateSnapshot:
        """Snapshot of the layout."""
        return StateSnapshot(self.engine.save(), self.place.copy(), self.length)

    def restore(self, snap: StateSnapshot) -> None:
        """Return to a snapshot (strip length included)."""
        self.engine.restore(snap.engine)
        self.place[:] = snap.place

    def placed_keys(self) -> np.ndarray:
        """Indices of the copies in the layout."""
        return np.flatnonzero(self.active)

    def density(self, length: float | None = None) -> float:
        """Placed area over the strip area up to length (default: the current length)."""
        assert isinstance(self.items.job.stock, Strip)
        length = self.length if length is None else length
        area = float(self.items.areas[self.active].sum())
        return area / (self.items.job.stock.height * length)
