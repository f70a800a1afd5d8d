"""CollisionEngine: the hazards of a strip or of a sheet of hides, placed pieces by key, queries.

The search builds one engine per layout (a strip, or the sheet of every hide copy), registers
placed pieces under int keys in ``[0, max_pieces)`` and asks, for a prepared shape at a
placement (rotation_deg, mirrored, x, y):

- :meth:`CollisionEngine.feasible`: does it collide with anything? (exact, closed sets: touching
  collides, as shapely's ``intersects``; so the validator never sees two pieces sharing a point);
- :meth:`CollisionEngine.overlap`: which hazards it hits and by how much (pole overlap proxy, zero
  exactly when there is no collision), and the total weighted per hazard;
- :meth:`CollisionEngine.batch_feasible` / :meth:`CollisionEngine.batch_loss`: the same for many
  samples of one shape in one kernel call, the loss with an upper bound for early exit.

Hazard ids in results: static hazard h is ``-1 - h`` (``-1`` is the hide/strip exterior, ``-2``...
are zones, see :meth:`hazard_kind`), a placed piece is its key. ``min_grade`` of the prepared shape
selects which zones block (:func:`leathernest.model.zone_blocks`); pass ``mask`` to override.
``ignore`` is a key left out of the query (the piece being moved).

Example::

    from leathernest.collision import CollisionEngine
    from leathernest.model import Strip
    eng = CollisionEngine.for_strip(Strip(40.0), length=100.0, gap_mm=0.0, max_pieces=99)
    shirt = eng.prepare(piece)                     # once per piece
    eng.feasible(shirt, 0.0, False, 10.0, 10.0)    # -> True
    eng.add(0, shirt, 0.0, False, 10.0, 10.0)      # place it as key 0
    eng.feasible(shirt, 0.0, False, 12.0, 10.0)    # -> False, it overlaps key 0
    eng.overlap(shirt, 0.0, False, 12.0, 10.0)     # -> Overlap(total=..., ids=[0], values=[...])
    snap = eng.save(); eng.move(0, 180.0, False, 50.0, 20.0); eng.restore(snap)

The engine owns its arrays; kernels read them through :attr:`CollisionEngine.arrays` (an
:class:`~leathernest.collision.records.Engine` record, rebuilt when the arrays are reallocated) and
:meth:`CollisionEngine.probe`. Grade masks (which static hazards block a piece of a grade) live in
one table, :attr:`CollisionEngine.masks`, kept in step with the open and closed containers.

An engine is not thread-safe (it owns scratch buffers); use :meth:`copy` for another thread. Kernels
run without the GIL. Nothing compiles at import; the first query compiles (or loads from the
on-disk cache); :func:`leathernest.nest.warm_up` does it up front.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

from leathernest.collision import hazards as hz
from leathernest.collision.kernels.dynamic import set_key
from leathernest.collision.kernels.grid import grid_remove
from leathernest.collision.kernels.query import query
from leathernest.collision.prepare import PreparedShape, prepare, stock_margin
from leathernest.collision.records import Engine, Placed, Probe, Scratch, pack_engine
from leathernest.model import Hide, Outline, Piece, Strip

DEG = math.pi / 180.0
# The per-engine arrays a snapshot copies (the static hazards are shared, never copied).
_DYNAMIC_FIELDS = (
    "_active", "_xy", "_vbase", "_rings", "_rbase", "_nrings", "_poles", "_pbase", "_npoles",
    "_bbox", "_cells", "_head", "_nxt", "_prv", "_nkey", "_nbase", "_ncap", "_vcap", "_rcap",
    "_pcap", "_closed", "_listed",
)  # fmt: skip


@dataclass(frozen=True)
class Overlap:
    """Result of :meth:`CollisionEngine.overlap`: weighted total and unweighted value per hazard."""

    total: float
    ids: np.ndarray  # int64[n] hazard ids (-1 - h for static hazard h, key for pieces)
    values: np.ndarray  # float64[n] unweighted proxy per hazard, all > 0


@dataclass(frozen=True)
class Snapshot:
    """Saved dynamic state (pieces, grid, strip length); static hazards are shared, not copied."""

    arrays: tuple
    shapes: tuple
    transforms: np.ndarray
    box: np.ndarray
    walls: np.ndarray

    @property
    def closed(self) -> np.ndarray:
        """uint8[C]: the containers out of play when the snapshot was taken."""
        return self.arrays[_DYNAMIC_FIELDS.index("_closed")]


class CollisionEngine:
    """Hazards of one container plus placed pieces, answering exact and quantified queries."""

    def __init__(
        self,
        static: hz.StaticHazards,
        max_pieces: int,
        gap_mm: float = 0.0,
        margin_mm: float = 0.0,
    ) -> None:
        if max_pieces < 1:
            raise ValueError(f"max_pieces must be >= 1, got {max_pieces}")
        self.static = static
        self.gap_mm = float(gap_mm)
        self.margin_mm = float(margin_mm)
        self.max_pieces = int(max_pieces)
        k = self.max_pieces
        self._active = np.zeros(k, dtype=np.uint8)
        self._xy = np.zeros((2, 64), dtype=np.float64)
        self._vbase = np.zeros(k, dtype=np.int64)
        self._rings = np.zeros(64, dtype=np.int64)
        self._rbase = np.zeros(k, dtype=np.int64)
        self._nrings = np.zeros(k, dtype=np.int64)
        self._poles = np.zeros((3, 16), dtype=np.float64)
        self._pbase = np.zeros(k, dtype=np.int64)
        self._npoles = np.zeros(k, dtype=np.int64)
        self._bbox = np.zeros((k, 4), dtype=np.float64)
        self._cells = np.zeros((k, 4), dtype=np.int64)
        n_cells = int(static.dims[0] * static.dims[1])
        self._head = np.full(n_cells, -1, dtype=np.int64)
        self._nxt = np.zeros(64, dtype=np.int64)
        self._prv = np.zeros(64, dtype=np.int64)
        self._nkey = np.zeros(64, dtype=np.int64)
        self._nbase = np.zeros(k, dtype=np.int64)
        self._ncap = np.zeros(k, dtype=np.int64)
        self._closed = np.zeros(static.n_containers, dtype=np.uint8)
        self._listed = np.zeros(k, dtype=np.uint8)  # key is linked into the grid
        # slot bookkeeping (Python side): capacity reserved per key in the pools, -1 = none yet
        self._vcap = np.full(k, -1, dtype=np.int64)
        self._rcap = np.zeros(k, dtype=np.int64)
        self._pcap = np.zeros(k, dtype=np.int64)
        self._v_end = self._r_end = self._p_end = self._n_end = 0
        self._shapes: list[PreparedShape | None] = [None] * k
        self._tf = np.zeros((k, 4), dtype=np.float64)
        self._grades: list[int | None] = []  # grade of each row of masks
        self.masks = np.zeros((0, static.n_hazards), dtype=np.uint8)
        self.w_static_ones = np.ones(static.n_hazards, dtype=np.float64)
        self.w_piece_ones = np.ones(k, dtype=np.float64)
        self._out_ids = np.zeros(static.n_hazards + k, dtype=np.int64)
        self._out_vals = np.zeros(static.n_hazards + k, dtype=np.float64)
        self._no_ids = self._out_ids[:0]
        self._no_vals = self._out_vals[:0]
        self._static = static.record()
        self._one = np.zeros((1, 4), dtype=np.float64)  # single queries use the batch kernel
        self._one_out = np.zeros(1, dtype=np.float64)
        self._alloc_scratch(64, 8)
        self._rebuild_dy()

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def for_hide(
        cls,
        hide: Hide,
        *,
        gap_mm: float = 0.0,
        margin_mm: float = 0.0,
        max_pieces: int = 256,
        cell_mm: float | None = None,
        simplify_tol_mm: float = 0.0,
        edge_margin_mm: float | None = None,
        defect_margin_mm: float | None = None,
    ) -> CollisionEngine:
        """An engine for one hide: exterior, holes and zones as static hazards.

        cell_mm: grid cell side (default: larger side of the hide / 48).
        simplify_tol_mm: conservative vertex removal, hide shrinks and zones grow (0: none).
        edge_margin_mm, defect_margin_mm: distance from the hide's edge and from holes and
        blocking zones (default: margin_mm for both).
        """
        st = hz.hide_hazards(hide, gap_mm, margin_mm, cell_mm, simplify_tol_mm,
                             edge_margin_mm=edge_margin_mm, defect_margin_mm=defect_margin_mm)
        return cls(st, max_pieces, gap_mm, _piece_margin(margin_mm, edge_margin_mm,
                                                         defect_margin_mm))

    @classmethod
    def for_strip(
        cls,
        strip: Strip | float,
        length: float,
        *,
        gap_mm: float = 0.0,
        margin_mm: float = 0.0,
        max_pieces: int = 256,
        cell_mm: float | None = None,
    ) -> CollisionEngine:
        """An engine for a strip of the given height and (changeable) length."""
        height = strip.height if isinstance(strip, Strip) else float(strip)
        st = hz.strip_hazards(height, length, gap_mm, margin_mm, cell_mm)
        return cls(st, max_pieces, gap_mm, margin_mm)

    @classmethod
    def for_sheet(
        cls,
        hides: list[Hide],
        *,
        gap_mm: float = 0.0,
        margin_mm: float = 0.0,
        max_pieces: int = 256,
        cell_mm: float | None = None,
        simplify_tol_mm: float = 0.0,
        edge_margin_mm: float | None = None,
        defect_margin_mm: float | None = None,
        simplify: tuple[int, float] | None = None,
    ) -> CollisionEngine:
        """An engine for several hide copies on one sheet (container c holds hides[c]).

        Copies of one hide share their static geometry, built once. Every container starts open;
        :meth:`set_closed` takes one out of play. ``static.offsets[c]`` maps hide coordinates to
        the sheet. ``simplify`` = (vertices, relative tolerance): a hide with more vertices is
        simplified inward by that share of its larger side (conservative: the hide only shrinks).
        """
        built: dict[int, hz.HideParts] = {}
        parts = []
        for h in hides:
            p = built.get(id(h))
            if p is None:
                tol = simplify_tol_mm
                if simplify is not None and h.outline.n_vertices > simplify[0]:
                    x0, y0, x1, y1 = h.outline.bbox
                    tol = max(tol, simplify[1] * max(x1 - x0, y1 - y0))
                p = built[id(h)] = hz.hide_parts(h, gap_mm, margin_mm, tol,
                                                 edge_margin_mm=edge_margin_mm,
                                                 defect_margin_mm=defect_margin_mm)
            parts.append(p)
        st = hz.sheet_hazards(parts, cell_mm=cell_mm)
        return cls(st, max_pieces, gap_mm, _piece_margin(margin_mm, edge_margin_mm,
                                                         defect_margin_mm))

    def set_closed(self, container: int, closed: bool) -> None:
        """Take a container out of play (its closure hazard then blocks every piece) or back."""
        if bool(self._closed[container]) == closed:
            return
        self._closed[container] = 1 if closed else 0
        self._refresh_masks()

    def is_closed(self, container: int) -> bool:
        """Whether the container is out of play."""
        return bool(self._closed[container])

    @property
    def closed(self) -> np.ndarray:
        """uint8[C]: 1 for containers out of play (kernels read it; change it by set_closed)."""
        return self._closed

    def grade_row(self, min_grade: int | None) -> int:
        """The row of :attr:`masks` for pieces needing min_grade (added on first use)."""
        if min_grade not in self._grades:
            self._grades.append(min_grade)
            self.masks = np.vstack([self.masks, np.zeros((1, self.static.n_hazards), np.uint8)])
            self._refresh_masks()
        return self._grades.index(min_grade)

    def mask_for(self, min_grade: int | None) -> np.ndarray:
        """uint8[S]: the static hazards that block a piece needing min_grade (a row of masks)."""
        row = self.grade_row(min_grade)  # first: it may grow the table
        return self.masks[row]

    def _refresh_masks(self) -> None:
        closed = self._closed.astype(bool)
        for row, grade in enumerate(self._grades):
            self.static.mask(grade, closed, out=self.masks[row])

    def set_wall(self, container: int, normal: tuple[float, float], limit: float) -> None:
        """Keep every piece on the container where ``normal . v <= limit`` (inf: no wall).

        normal is a unit vector in sheet coordinates; only hide copies on a sheet have walls.
        """
        if self.static.wall_hz[container] < 0:
            raise ValueError(f"container {container} has no wall")
        self.static.walls[container] = (float(normal[0]), float(normal[1]), float(limit))

    def wall(self, container: int) -> tuple[float, float, float]:
        """The container's wall (nx, ny, limit); limit inf when it is open."""
        nx, ny, d = self.static.walls[container]
        return float(nx), float(ny), float(d)

    def prepare(
        self, shape: Piece | Outline | Polygon, simplify_tol_mm: float = 0.0
    ) -> PreparedShape:
        """Prepare a piece with this engine's gap and margin (once per piece, not per query)."""
        return prepare(shape, self.gap_mm, self.margin_mm, simplify_tol_mm)

    def set_strip_length(self, length: float) -> None:
        """Change a strip's length (O(1); pieces beyond it then collide with the exterior)."""
        hz.set_strip_length(self.static, length)

    @property
    def strip_length(self) -> float:
        """The strip's current length."""
        return float(self.static.box[2] + self.static.inset)

    def hazard_kind(self, hazard_id: int) -> tuple[str, int | None]:
        """What a hazard id of a result is: ("exterior", None), ("zone", grade), ("wall", c).

        A placed piece is ("piece", key).
        """
        if hazard_id >= 0:
            return "piece", hazard_id
        h = -1 - hazard_id
        if h == 0:
            return "exterior", None
        if self.static.kind[h] == hz.KIND_WALL:
            return "wall", int(self.static.hz_container[h])
        return "zone", int(self.static.grade[h])

    # -- pieces -----------------------------------------------------------------------------------

    def add(
        self,
        key: int,
        shape: PreparedShape,
        rotation_deg: float,
        mirrored: bool,
        x: float,
        y: float,
    ) -> None:
        """Register a placed piece under key (unchecked: overlapping states are allowed)."""
        self._check_key(key)
        if self._active[key]:
            raise ValueError(f"piece key {key} is already placed; move or remove it first")
        arr = shape.for_pieces
        nv, nr, npl = arr.xy.shape[1], arr.rings.shape[0] - 1, arr.poles.shape[1]
        if self._vcap[key] < nv or self._rcap[key] < nr + 1 or self._pcap[key] < npl:
            self._allocate(key, nv, nr + 1, npl)
        need = self._nodes_for(arr)
        if self._ncap[key] < need:
            self._allocate_nodes(key, need)
        rb = self._rbase[key]
        self._rings[rb : rb + nr + 1] = arr.rings
        self._nrings[key] = nr
        self._npoles[key] = npl
        self._shapes[key] = shape
        self._active[key] = 1
        self._place(key, rotation_deg, mirrored, x, y)

    def move(self, key: int, rotation_deg: float, mirrored: bool, x: float, y: float) -> None:
        """Move a placed piece to a new placement."""
        self._check_placed(key)
        self._place(key, rotation_deg, mirrored, x, y)

    def remove(self, key: int) -> None:
        """Take a placed piece out (its pool slot stays reserved for the same key)."""
        self._check_placed(key)
        grid_remove(key, self._cells[key], self.static.dims, self._head, self._nxt, self._prv,
                    self._nbase)
        self._listed[key] = 0
        self._active[key] = 0
        self._shapes[key] = None

    def reserve(self, shapes: list[PreparedShape], shape_of: np.ndarray) -> None:
        """Reserve pool slots, grid nodes and query scratch for keys 0..n-1, placing none.

        Key k gets room for ``shapes[shape_of[k]]``, as :meth:`add` then :meth:`remove` of each
        key in turn would give it (the same slots, in key order), with one reallocation instead
        of two per key: a search registers thousands of copies before it starts, and the loop
        of add and remove took 1.2 s for 20,000 copies.
        """
        keys = np.arange(len(shape_of), dtype=np.int64)
        for k in (0, len(keys) - 1) if len(keys) else ():
            self._check_key(int(k))
        arrs = [s.for_pieces for s in shapes]
        nv = np.array([a.xy.shape[1] for a in arrs], dtype=np.int64)[shape_of]
        nr1 = np.array([a.rings.shape[0] for a in arrs], dtype=np.int64)[shape_of]
        npl = np.array([a.poles.shape[1] for a in arrs], dtype=np.int64)[shape_of]
        need = np.array([self._nodes_for(a) for a in arrs], dtype=np.int64)[shape_of]
        grow = (self._vcap[keys] < nv) | (self._rcap[keys] < nr1) | (self._pcap[keys] < npl)
        g = keys[grow]
        for base, cap, size, end in (("_vbase", "_vcap", nv, "_v_end"),
                                     ("_rbase", "_rcap", nr1, "_r_end"),
                                     ("_pbase", "_pcap", npl, "_p_end")):
            sizes = size[grow]
            start = getattr(self, end)
            getattr(self, base)[g] = start + np.cumsum(sizes) - sizes
            getattr(self, cap)[g] = sizes
            setattr(self, end, start + int(sizes.sum()))
        self._xy = _grow(self._xy, self._v_end)
        self._rings = _grow(self._rings, self._r_end)
        self._poles = _grow(self._poles, self._p_end)
        more = keys[self._ncap[keys] < need]
        sizes = need[more]
        self._nbase[more] = self._n_end + np.cumsum(sizes) - sizes
        self._ncap[more] = sizes
        end = self._n_end + int(sizes.sum())
        self._nxt = _grow(self._nxt, end)
        self._prv = _grow(self._prv, end)
        self._nkey = _grow(self._nkey, end)
        self._nkey[self._n_end : end] = np.repeat(more, sizes)
        self._n_end = end
        ring_pool = np.concatenate([a.rings for a in arrs]) if arrs else np.zeros(0, np.int64)
        ring_start = np.cumsum([0] + [a.rings.shape[0] for a in arrs])[:-1].astype(np.int64)
        within = _within(nr1)
        self._rings[np.repeat(self._rbase[keys], nr1) + within] = ring_pool[
            np.repeat(ring_start[shape_of], nr1) + within]
        self._nrings[keys] = nr1 - 1
        self._npoles[keys] = npl
        for s in shapes:
            self._fit_scratch(s)
        self._rebuild_dy()

    def is_placed(self, key: int) -> bool:
        """Whether key is currently placed."""
        return bool(self._active[key])

    def placement(self, key: int) -> tuple[PreparedShape, float, bool, float, float]:
        """(shape, rotation_deg, mirrored, x, y) of a placed key."""
        self._check_placed(key)
        r, m, x, y = self._tf[key]
        return self._shapes[key], float(r), bool(m), float(x), float(y)  # type: ignore[return-value]

    def record_transforms(self, keys: np.ndarray, transforms: np.ndarray) -> None:
        """Note where search kernels moved placed keys (rows rotation_deg, mirrored, x, y).

        Kernels move pieces in the dynamic arrays directly (:mod:`leathernest.collision.kernels.
        dynamic`); this keeps :meth:`placement` and snapshots in step with them.
        """
        self._tf[keys] = transforms[keys, :4]

    def placed_keys(self) -> np.ndarray:
        """Keys currently placed, ascending."""
        return np.flatnonzero(self._active)

    def reach(self, key: int, normal: np.ndarray) -> float:
        """How far a placed piece reaches along normal: the max of normal . v over its outline.

        The outline a wall is tested with: the piece inflated against the stock.
        """
        shape, r, m, x, y = self.placement(key)
        xy = shape.for_stock.xy
        a = math.radians(r)
        px = -xy[0] if m else xy[0]
        c, s = math.cos(a), math.sin(a)
        gx = c * px - s * xy[1] + x
        gy = s * px + c * xy[1] + y
        return float((normal[0] * gx + normal[1] * gy).max())

    def placed_bbox(self, key: int) -> np.ndarray:
        """float64[4] bbox of a placed piece's inflated outline (a view; do not modify)."""
        return self._bbox[key]

    # -- snapshots ---------------------------------------------------------------------------------

    def save(self) -> Snapshot:
        """Copy the dynamic state (cheap: pools, grid and bookkeeping; not the static hazards)."""
        arrays = tuple(a.copy() for a in self._dynamic_arrays())
        return Snapshot(arrays, tuple(self._shapes), self._tf.copy(),
                        np.concatenate([self.static.box, self.static.container_box[0]]),
                        self.static.walls.copy())

    def restore(self, snap: Snapshot) -> None:
        """Return to a saved state (the snapshot stays usable for further restores)."""
        *arrays, ends = snap.arrays
        closed = self._closed.copy()
        grown = False  # arrays are copied into place, so records built before stay valid
        for name, a in zip(_DYNAMIC_FIELDS, arrays, strict=True):
            cur = getattr(self, name)
            if cur.shape == a.shape:
                cur[...] = a
            else:
                setattr(self, name, a.copy())
                grown = True
        self._v_end, self._r_end, self._p_end, self._n_end = (int(v) for v in ends)
        self._shapes = list(snap.shapes)
        self._tf[...] = snap.transforms
        self.static.box[:] = snap.box[:4]
        if self.static.n_containers == 1:
            self.static.container_box[0] = snap.box[4:]
        self.static.walls[...] = snap.walls
        if grown:
            self._rebuild_dy()
        if not np.array_equal(closed, self._closed):
            self._refresh_masks()

    def copy(self) -> CollisionEngine:
        """An independent engine with the same state (static hazards shared read-only)."""
        new = object.__new__(CollisionEngine)
        new.__dict__.update(self.__dict__)
        new.static = hz.StaticHazards(**{**self.static.__dict__, "box": self.static.box.copy(),
                                         "container_box": self.static.container_box.copy()})
        new._static = new.static.record()
        new._grades = list(self._grades)
        new.masks = self.masks.copy()
        new._out_ids = self._out_ids.copy()
        new._out_vals = self._out_vals.copy()
        new._no_ids = new._out_ids[:0]
        new._no_vals = new._out_vals[:0]
        new._one = self._one.copy()
        new._one_out = self._one_out.copy()
        for name in _DYNAMIC_FIELDS:
            setattr(new, name, getattr(self, name).copy())
        new._shapes = list(self._shapes)
        new._tf = self._tf.copy()
        new._alloc_scratch(self._scratch.txy.shape[1], self._scratch.tp.shape[1])
        new._rebuild_dy()
        return new

    # -- the kernels' view -------------------------------------------------------------------------

    @property
    def arrays(self) -> Engine:
        """The engine's arrays as the kernels take them (read it anew after add or restore)."""
        return self._arrays

    def probe(self, shape: PreparedShape, *, loss: bool, mask: np.ndarray | None = None,
              ignore: int = -1, w_static: np.ndarray | None = None,
              w_piece: np.ndarray | None = None) -> Probe:
        """A query's :class:`~leathernest.collision.records.Probe` of the shape (weights 1)."""
        self._fit_scratch(shape)
        return Probe(shape.for_pieces.record, shape.for_stock.record, shape.same,
                     self.mask_for(shape.min_grade) if mask is None else mask, int(ignore),
                     self.w_static_ones if w_static is None else w_static,
                     self.w_piece_ones if w_piece is None else w_piece, bool(loss))

    # -- queries -----------------------------------------------------------------------------------

    def feasible(
        self,
        shape: PreparedShape,
        rotation_deg: float,
        mirrored: bool,
        x: float,
        y: float,
        *,
        mask: np.ndarray | None = None,
        ignore: int = -1,
    ) -> bool:
        """Whether the shape at the placement collides with no hazard (touching collides)."""
        probe = self.probe(shape, loss=False, mask=mask, ignore=ignore)
        query(probe, self._single(rotation_deg, mirrored, x, y), self._arrays, math.inf, 1,
              self._one_out, self._no_ids, self._no_vals)
        return bool(self._one_out[0] != 0.0)

    def overlap(
        self,
        shape: PreparedShape,
        rotation_deg: float,
        mirrored: bool,
        x: float,
        y: float,
        *,
        mask: np.ndarray | None = None,
        ignore: int = -1,
        w_static: np.ndarray | None = None,
        w_piece: np.ndarray | None = None,
    ) -> Overlap:
        """Hazards hit and their overlap proxies; total = sum of weight x value (weights default 1).

        w_static: float64[S] per static hazard h (index h, not the id); w_piece:
        float64[max_pieces].
        """
        probe = self.probe(shape, loss=True, mask=mask, ignore=ignore, w_static=w_static,
                           w_piece=w_piece)
        _best, n = query(probe, self._single(rotation_deg, mirrored, x, y), self._arrays,
                         math.inf, 1, self._one_out, self._out_ids, self._out_vals)
        return Overlap(float(self._one_out[0]), self._out_ids[:n].copy(),
                       self._out_vals[:n].copy())

    def batch_feasible(
        self,
        shape: PreparedShape,
        samples: np.ndarray,
        *,
        mask: np.ndarray | None = None,
        ignore: int = -1,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """bool[N]: True where sample i (a row rotation_deg, mirrored 0/1, x, y) is feasible.

        out: an optional float64[N] buffer the kernel writes 1.0/0.0 into (saves an allocation).
        """
        samples = self._check_samples(samples)
        if out is None:
            out = np.empty(samples.shape[0], dtype=np.float64)
        probe = self.probe(shape, loss=False, mask=mask, ignore=ignore)
        query(probe, samples, self._arrays, math.inf, 1, out, self._no_ids, self._no_vals)
        return out != 0.0

    def batch_loss(
        self,
        shape: PreparedShape,
        samples: np.ndarray,
        *,
        upper_bound: float = math.inf,
        mask: np.ndarray | None = None,
        ignore: int = -1,
        w_static: np.ndarray | None = None,
        w_piece: np.ndarray | None = None,
        out: np.ndarray | None = None,
    ) -> tuple[int, np.ndarray]:
        """(best index or -1, float64[N] weighted losses); inf where a sample exceeded the bound.

        The bound tightens to the best loss so far, so only the best sample's loss is guaranteed
        finite; a feasible sample has loss 0.
        """
        samples = self._check_samples(samples)
        if out is None:
            out = np.empty(samples.shape[0], dtype=np.float64)
        probe = self.probe(shape, loss=True, mask=mask, ignore=ignore, w_static=w_static,
                           w_piece=w_piece)
        best, _n = query(probe, samples, self._arrays, float(upper_bound), 1, out, self._no_ids,
                         self._no_vals)
        return int(best), out

    def _single(self, rotation_deg: float, mirrored: bool, x: float, y: float) -> np.ndarray:
        one = self._one
        one[0, 0] = rotation_deg
        one[0, 1] = 1.0 if mirrored else 0.0
        one[0, 2] = x
        one[0, 3] = y
        return one

    # -- internals ---------------------------------------------------------------------------------

    def _check_key(self, key: int) -> None:
        if not 0 <= key < self.max_pieces:
            raise ValueError(f"piece key {key} outside [0, {self.max_pieces})")

    def _check_placed(self, key: int) -> None:
        self._check_key(key)
        if not self._active[key]:
            raise ValueError(f"piece key {key} is not placed")

    @staticmethod
    def _check_samples(samples: np.ndarray) -> np.ndarray:
        if samples.dtype != np.float64 or samples.ndim != 2 or samples.shape[1] != 4:
            raise ValueError(f"samples must be float64[N, 4], got {samples.dtype}{samples.shape}")
        return np.ascontiguousarray(samples)

    def _place(self, key: int, rotation_deg: float, mirrored: bool, x: float, y: float) -> None:
        if not (math.isfinite(rotation_deg) and math.isfinite(x) and math.isfinite(y)):
            raise ValueError(
                f"piece key {key}: placement must be finite, got {(rotation_deg, x, y)}"
            )
        shape = self._shapes[key].for_pieces.record  # type: ignore[union-attr]
        listed = bool(self._listed[key])
        if not set_key(key, shape, float(rotation_deg), bool(mirrored), float(x), float(y),
                       self._placed, self.static.g, self.static.dims, listed):
            raise AssertionError(f"piece key {key}: cell range larger than its node block")
        self._listed[key] = 1
        self._tf[key] = (rotation_deg, 1.0 if mirrored else 0.0, x, y)

    def _allocate(self, key: int, nv: int, nr1: int, npl: int) -> None:
        self._xy = _grow(self._xy, self._v_end + nv)
        self._rings = _grow(self._rings, self._r_end + nr1)
        self._poles = _grow(self._poles, self._p_end + npl)
        self._vbase[key], self._rbase[key], self._pbase[key] = self._v_end, self._r_end, self._p_end
        self._vcap[key], self._rcap[key], self._pcap[key] = nv, nr1, npl
        self._v_end += nv
        self._r_end += nr1
        self._p_end += npl
        self._rebuild_dy()

    def _nodes_for(self, arr) -> int:
        """Grid nodes a shape needs in any orientation: cells its rotated bbox can span.

        Every rotation's bbox lies within the circle of radius R (farthest vertex from the local
        origin), so it spans at most floor(2R / cell) + 2 cells per axis.
        """
        r = float(np.sqrt((arr.xy**2).sum(axis=0)).max()) if arr.xy.shape[1] else 0.0
        g, dims = self.static.g, self.static.dims
        nx = min(int(2.0 * r * g[2]) + 2, int(dims[0]))
        ny = min(int(2.0 * r * g[3]) + 2, int(dims[1]))
        return max(nx * ny, 1)

    def _allocate_nodes(self, key: int, need: int) -> None:
        end = self._n_end + need
        self._nxt = _grow(self._nxt, end)
        self._prv = _grow(self._prv, end)
        self._nkey = _grow(self._nkey, end)
        self._nbase[key] = self._n_end
        self._ncap[key] = need
        self._nkey[self._n_end : end] = key
        self._n_end = end
        self._rebuild_dy()

    def _dynamic_arrays(self) -> tuple:
        ends = np.array([self._v_end, self._r_end, self._p_end, self._n_end], dtype=np.int64)
        return (*(getattr(self, name) for name in _DYNAMIC_FIELDS), ends)

    def _rebuild_dy(self) -> None:
        self._placed = Placed(self._active, self._xy, self._vbase, self._rings, self._rbase,
                              self._nrings, self._poles, self._pbase, self._npoles, self._bbox,
                              self._cells, self._head, self._nxt, self._nkey, self._prv,
                              self._nbase, self._ncap)
        self._arrays = pack_engine(self._static, self._placed, self._scratch)

    def _alloc_scratch(self, n_vertices: int, n_poles: int) -> None:
        s = self.static.n_hazards
        self._scratch = Scratch(
            txy=np.zeros((2, n_vertices)),
            tp=np.zeros((3, n_poles)),
            txy2=np.zeros((2, n_vertices)),
            tp2=np.zeros((3, n_poles)),
            tbbox=np.zeros(4),
            tbbox2=np.zeros(4),
            parity=np.zeros(s, dtype=np.uint8),
            hit=np.zeros(s, dtype=np.uint8),
            touched=np.zeros(s, dtype=np.int64),
            counts=np.zeros(2, dtype=np.int64),
            acc=np.zeros(1, dtype=np.float64),
            near=np.zeros(2 * n_vertices, dtype=np.int64),
        )
        if hasattr(self, "_placed"):
            self._arrays = pack_engine(self._static, self._placed, self._scratch)

    def fit_scratch(self, shape: PreparedShape) -> None:
        """Size the query scratch for a shape (search kernels query without this wrapper)."""
        self._fit_scratch(shape)

    def _fit_scratch(self, shape: PreparedShape) -> None:
        nv = max(shape.for_pieces.xy.shape[1], shape.for_stock.xy.shape[1])
        npl = max(shape.for_pieces.poles.shape[1], shape.for_stock.poles.shape[1])
        have_v, have_p = self._scratch.txy.shape[1], self._scratch.tp.shape[1]
        if nv > have_v or npl > have_p:
            self._alloc_scratch(max(nv, 2 * have_v), max(npl, have_p))


def _piece_margin(margin_mm: float, edge: float | None, defect: float | None) -> float:
    """The margin pieces are prepared with: the smaller of the edge and defect margins."""
    edge = margin_mm if edge is None else edge
    return stock_margin(edge, margin_mm if defect is None else defect)


def _within(lengths: np.ndarray) -> np.ndarray:
    """0..l-1 for each length l, concatenated (the offsets inside consecutive blocks)."""
    total = int(lengths.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def _grow(a: np.ndarray, need: int) -> np.ndarray:
    """A with its last axis at least need long (doubling), contents kept."""
    size = a.shape[-1]
    if need <= size:
        return a
    new = np.zeros((*a.shape[:-1], max(need, 2 * size)), dtype=a.dtype)
    new[..., :size] = a
    return new
