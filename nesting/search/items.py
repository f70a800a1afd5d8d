"""The copies a search places: shapes, orientations and sampling parameters, built once per job.

Every copy of every piece becomes one *item* with an index k (also its key in the collision engine).
Shapes are prepared once per distinct outline (pieces equal up to a translation share one, see
:func:`outline_key`), on the outline moved so that its area centroid is the local origin: a
placement's (x, y) is then where the piece's centroid lies, whatever the rotation, which is where
grain is measured against the backbone and what :meth:`Items.to_piece_frame` converts back to the
job's own frame for the solution. Orientation rows come from
:mod:`leathernest.geometry.orient`; on a strip (reference direction the x axis everywhere) they are
all FIXED, on a sheet of hides grain pieces get ALONG / CHECKED rows that follow each hide's
backbone.

Pools: the kernels take every distinct outline's arrays as ranges of a few pooled arrays (shapes,
hulls, orientation rows), so all kernels see the same C-contiguous array types as the engine's own
queries and compile once.

Imports numpy, shapely, the model, geometry and the collision engine; never numba.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

from leathernest.collision.engine import CollisionEngine
from leathernest.collision.prepare import PreparedShape, poles_of, shape_arrays
from leathernest.config import GeometryConfig, MoveConfig
from leathernest.geometry.orient import mirror_options, orientation_rows
from leathernest.model import Job, Outline, Piece
from leathernest.search.kernels import sample as ks
from leathernest.search.kernels.records import Pools, ShapePool
from leathernest.search.units import make_units


def move_params(cfg: MoveConfig, min_dim: float, size: float) -> np.ndarray:
    """The float64 parameter vector of the position search for one piece."""
    p = np.zeros(ks.N_PARAMS)
    p[ks.P_SIZE] = size
    p[ks.P_N_CONTAINER] = cfg.n_container
    p[ks.P_N_FOCUS] = cfg.n_focus
    p[ks.P_N_CD] = cfg.n_refine
    p[ks.P_MIN_DIM] = min_dim
    p[ks.P_UNIQUE] = cfg.unique_frac * min_dim
    p[ks.P_PRE_T0 : ks.P_PRE_R1 + 1] = cfg.pre_steps
    p[ks.P_FIN_T0 : ks.P_FIN_R1 + 1] = cfg.fin_steps
    p[ks.P_CROSS] = cfg.p_cross
    p[ks.P_CD_GROW], p[ks.P_CD_SHRINK] = cfg.cd_grow, cfg.cd_shrink
    return p


def move_params_of(cfg: MoveConfig, min_dims: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """float64[n, N_PARAMS]: :func:`move_params` of many pieces at once (the same numbers)."""
    out = np.tile(move_params(cfg, 0.0, 0.0), (len(min_dims), 1))
    out[:, ks.P_SIZE] = sizes
    out[:, ks.P_MIN_DIM] = min_dims
    out[:, ks.P_UNIQUE] = cfg.unique_frac * min_dims
    return out


def centred(piece: Piece) -> tuple[Piece, np.ndarray]:
    """The piece moved so that its area centroid is the origin, and that centroid."""
    poly = Polygon(piece.outline.outer, list(piece.outline.holes))
    c = np.array([poly.centroid.x, poly.centroid.y])
    outline = Outline(piece.outline.outer - c, tuple(h - c for h in piece.outline.holes))
    return dataclasses.replace(piece, outline=outline, features=(), cut_paths=()), c


def prepare_centred(engine: CollisionEngine, piece: Piece,
                    poles: tuple[int, float, float] | None = None,
                    geometry: GeometryConfig | None = None) -> PreparedShape:
    """The engine's prepared shape of the centred piece, with more poles when asked.

    The overlap proxy is only as good as the poles cover the shape; the engine caps them at 6 (85 %
    coverage) for speed, Sparrow's surrogate uses up to 64. ``poles`` = (max count, coverage,
    smallest radius relative to the first) recomputes them on the same inflated outlines, so
    collision answers do not change, only the proxy's resolution. A piece with many vertices is
    simplified outward (``geometry``): it only grows, so what the search finds feasible is.
    """
    return _prepare_centred(engine, piece, centred(piece)[0], poles, geometry)


def _prepare_centred(engine: CollisionEngine, piece: Piece, centred_piece: Piece,
                     poles: tuple[int, float, float] | None,
                     geometry: GeometryConfig | None) -> PreparedShape:
    tol = 0.0
    if geometry is not None and piece.outline.n_vertices > geometry.piece_vertices:
        x0, y0, x1, y1 = piece.outline.bbox
        tol = geometry.piece_rel * max(x1 - x0, y1 - y0)
    base = engine.prepare(centred_piece, simplify_tol_mm=tol)
    if poles is None:
        return base
    n, cover, frac = poles

    def more(arr):
        return shape_arrays(arr.polygon, poles_of(arr.polygon, n, cover, frac))

    fp = more(base.for_pieces)
    fs = fp if base.same else more(base.for_stock)
    return dataclasses.replace(base, for_pieces=fp, for_stock=fs)


def outline_key(outline: Outline) -> tuple:
    """Equal for outlines equal up to a translation (vertex for vertex, relative to the first)."""
    o = outline.outer[0]
    return (len(outline.outer), (outline.outer - o).tobytes(),
            tuple((len(h), (h - o).tobytes()) for h in outline.holes))


def _hull(shape: PreparedShape) -> np.ndarray:
    h = shape.for_stock.polygon.convex_hull
    return np.ascontiguousarray(np.asarray(h.exterior.coords)[:-1].T, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Items:
    """Every copy to place, as Python objects and as the arrays the kernels take (immutable).

    ``units`` lists the copies of each unit (pairs and same-hide groups together); ``cross`` is 1
    for copies that may move between containers on their own (single-copy units).
    """

    job: Job
    pieces: tuple[Piece, ...]  # per copy
    copies: tuple[int, ...]  # copy index within its piece
    piece_of: np.ndarray  # int64[n]: index of the piece in job.pieces
    unit_of: np.ndarray  # int64[n]
    units: tuple[tuple[int, ...], ...]  # copies of each unit, in make_units order
    shapes: tuple[PreparedShape, ...]  # per piece (centred outlines; shared, see outline_key)
    centroids: np.ndarray  # float64[P, 2]: local centroid of each piece in the job's frame
    hulls: tuple[np.ndarray, ...]  # per piece: float64[2, h]
    outline_shapes: tuple[PreparedShape, ...]  # one per distinct outline: the kernels' shapes
    rows: tuple[np.ndarray, ...]  # per copy: float64[m, 6] orientation rows
    areas: np.ndarray  # float64[n]: area of the true outline, mm²
    min_dims: np.ndarray  # float64[n]: smaller side of the piece's bbox
    sizes: np.ndarray  # float64[n]: larger side of the piece's bbox
    grades: tuple[int | None, ...]  # distinct min_grade values
    grade_of: np.ndarray  # int64[n]: index into grades
    cross: np.ndarray  # uint8[n]
    params: np.ndarray  # float64[n, N_PARAMS]
    pools: Pools  # outline_shapes as the kernels take them (pools.shape_of: per copy)
    hull_xy: np.ndarray  # float64[2, H]: hulls of the distinct outlines, pooled
    hull_idx: np.ndarray  # int64[n, 2]: (start, count) of each copy's hull in hull_xy
    rows_pool: np.ndarray  # float64[R, 6]: orientation rows of all copies
    rows_idx: np.ndarray  # int64[n, 2]: (start, count) of each copy's rows

    @property
    def n(self) -> int:
        """Number of copies."""
        return len(self.pieces)

    def shape(self, k: int) -> PreparedShape:
        """The prepared (centred) shape of copy k."""
        return self.shapes[int(self.piece_of[k])]

    def to_piece_frame(self, k: int, rotation_deg: float, mirrored: bool, x: float,
                       y: float) -> tuple[float, float]:
        """The job-frame translation of copy k placed with its centroid at (x, y)."""
        cx, cy = self.centroids[int(self.piece_of[k])]
        if mirrored:
            cx = -cx
        a = math.radians(rotation_deg)
        c, s = math.cos(a), math.sin(a)
        return x - (c * cx - s * cy), y - (s * cx + c * cy)

    def hull(self, k: int) -> tuple[np.ndarray, int, int]:
        """(pool, start, count) of copy k's hull, as the kernels take it."""
        return self.hull_xy, int(self.hull_idx[k, 0]), int(self.hull_idx[k, 1])

    def kernel_rows(self, k: int) -> np.ndarray:
        """Copy k's orientation rows as a view of the pool."""
        s, c = self.rows_idx[k]
        return self.rows_pool[s : s + c]

    def with_rows(self, rows: list[np.ndarray]) -> Items:
        """The same items with other orientation rows (e.g. filtered to what fits a strip)."""
        rows_t = tuple(np.ascontiguousarray(r).reshape(-1, 6) for r in rows)
        pool, idx = _pool_rows(rows_t)
        return dataclasses.replace(self, rows=rows_t, rows_pool=pool, rows_idx=idx)


def _pool_rows(rows: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    idx = np.zeros((len(rows), 2), dtype=np.int64)
    start = 0
    for k, r in enumerate(rows):
        idx[k] = (start, len(r))
        start += len(r)
    pool = np.concatenate(rows, axis=0) if rows else np.zeros((0, 6))
    return np.ascontiguousarray(pool.reshape(-1, 6)), idx


def _pool_shapes(arrs: list) -> ShapePool:
    """ShapeArrays pooled; index rows (v0, n_vertices, r0, n_rings + 1, p0, n_poles)."""
    idx = np.zeros((len(arrs), 6), dtype=np.int64)
    v = r = q = 0
    for i, a in enumerate(arrs):
        nv, nr, npl = a.xy.shape[1], a.rings.shape[0], a.poles.shape[1]
        idx[i] = (v, nv, r, nr, q, npl)
        v, r, q = v + nv, r + nr, q + npl
    xy = np.ascontiguousarray(np.concatenate([a.xy for a in arrs], axis=1))
    rings = np.ascontiguousarray(np.concatenate([a.rings for a in arrs]))
    poles = np.ascontiguousarray(np.concatenate([a.poles for a in arrs], axis=1))
    return ShapePool(xy, rings, poles, idx)


def build_items(job: Job, engine: CollisionEngine, reference_deg: float | None,
                move: MoveConfig, poles: tuple[int, float, float] | None = None,
                geometry: GeometryConfig | None = None) -> Items:
    """Prepare every distinct outline once and list every copy with its orientations and parameters.

    Pieces whose outlines are equal up to a translation (:func:`outline_key`: copies listed one
    by one, sizes of one pattern) share one prepared shape, its poles and its hull: preparing is
    the costly step (the maximum inscribed circles of the poles, about 4 ms a piece), and 5,000
    pieces listed one by one took 19 s to prepare one by one. Per-copy figures are taken from
    per-piece arrays, so the rest costs microseconds a copy.

    reference_deg: the reference direction when it is one everywhere (0: strips), None on a sheet
    of hides (rows follow each hide's backbone).
    """
    distinct: dict[tuple, int] = {}
    outline_shapes: list[PreparedShape] = []
    firsts: list[tuple[np.ndarray, np.ndarray]] = []  # (centroid, first vertex) per outline
    graded: dict[tuple[int, int | None], PreparedShape] = {}
    shape_of_piece = np.zeros(len(job.pieces), dtype=np.int64)
    shapes, cents = [], []
    for i, p in enumerate(job.pieces):
        key = outline_key(p.outline)
        s = distinct.get(key)
        if s is None:
            s = distinct[key] = len(outline_shapes)
            moved, c = centred(p)
            outline_shapes.append(_prepare_centred(engine, p, moved, poles, geometry))
            firsts.append((c, p.outline.outer[0]))
            graded[(s, p.min_grade)] = outline_shapes[s]
        shape_of_piece[i] = s
        if (s, p.min_grade) not in graded:  # the engine's default zone filter reads the grade
            graded[(s, p.min_grade)] = dataclasses.replace(outline_shapes[s],
                                                           min_grade=p.min_grade)
        shapes.append(graded[(s, p.min_grade)])
        c, v0 = firsts[s]
        shift = p.outline.outer[0] - v0
        cents.append(c + shift if shift.any() else c)
    outline_hulls = [_hull(s) for s in outline_shapes]
    hulls = tuple(outline_hulls[s] for s in shape_of_piece.tolist())
    counts = np.array([p.n_copies for p in job.pieces], dtype=np.int64)
    n = int(counts.sum())
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    piece_of = np.repeat(np.arange(len(job.pieces), dtype=np.int64), counts)
    copies = np.arange(n, dtype=np.int64) - first[piece_of]
    pieces = tuple(job.pieces[i] for i in piece_of.tolist())
    # orientation rows depend on the rotation rule, the grain and the copy's mirror states only
    row_cache: dict[tuple, np.ndarray] = {}
    rows = []
    for i, c in zip(piece_of.tolist(), copies.tolist(), strict=True):
        p = job.pieces[i]
        mirrors = mirror_options(p, c)
        rk = (p.rotations, p.grain, mirrors)
        if rk not in row_cache:
            r = orientation_rows(p, mirrors, reference_deg)
            row_cache[rk] = np.ascontiguousarray(r).reshape(-1, 6)
        rows.append(row_cache[rk])
    index = {p.id: i for i, p in enumerate(job.pieces)}
    unit_list = [tuple(int(first[index[pc.piece.id]]) + pc.copy for pc in unit)
                 for unit in make_units(job)]
    unit_len = np.array([len(u) for u in unit_list], dtype=np.int64)
    unit_of = np.zeros(n, dtype=np.int64)
    if unit_list:
        unit_of[np.concatenate([np.array(u, dtype=np.int64) for u in unit_list])] = np.repeat(
            np.arange(len(unit_list), dtype=np.int64), unit_len)
    grades = tuple(sorted({p.min_grade for p in job.pieces}, key=lambda g: (g is None, g or 0)))
    piece_grade = np.array([grades.index(p.min_grade) for p in job.pieces], dtype=np.int64)
    bbs = np.array([p.outline.bbox for p in job.pieces], dtype=np.float64).reshape(-1, 4)
    w, h = bbs[:, 2] - bbs[:, 0], bbs[:, 3] - bbs[:, 1]
    min_dims = np.minimum(w, h)[piece_of]
    sizes = np.maximum(w, h)[piece_of]
    cross = (unit_len[unit_of] == 1).astype(np.uint8)
    params = move_params_of(move, min_dims, sizes)
    copy_shape = shape_of_piece[piece_of]
    pools = Pools(_pool_shapes([s.for_pieces for s in outline_shapes]),
                  _pool_shapes([s.for_stock for s in outline_shapes]),
                  np.array([1 if s.same else 0 for s in outline_shapes], dtype=np.uint8),
                  copy_shape)
    rows_t = tuple(rows)
    rows_pool, rows_idx = _pool_rows(rows_t)
    h_count = np.array([h_.shape[1] for h_ in outline_hulls], dtype=np.int64)
    h_start = np.concatenate([[0], np.cumsum(h_count)[:-1]]).astype(np.int64)
    hull_idx = np.stack([h_start[copy_shape], h_count[copy_shape]], axis=1).reshape(-1, 2)
    return Items(
        job=job, pieces=pieces, copies=tuple(copies.tolist()), piece_of=piece_of,
        unit_of=unit_of, units=tuple(unit_list), shapes=tuple(shapes),
        centroids=np.array(cents).reshape(-1, 2), hulls=hulls,
        outline_shapes=tuple(outline_shapes), rows=rows_t,
        areas=np.array([p.area for p in job.pieces])[piece_of].reshape(-1), min_dims=min_dims,
        sizes=sizes, grades=grades, grade_of=piece_grade[piece_of], cross=cross, params=params,
        pools=pools,
        hull_xy=(np.ascontiguousarray(np.concatenate(outline_hulls, axis=1)) if outline_hulls
                 else np.zeros((2, 0))),
        hull_idx=hull_idx, rows_pool=rows_pool, rows_idx=rows_idx,
    )
