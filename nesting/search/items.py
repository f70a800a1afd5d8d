"""The copies a search places: shapes, orientations and sampling parameters, built once per job.

Every copy of every piece becomes one *item* with an index k (also its key in the collision engine).
Shapes are prepared once per piece, on the outline moved so that its area centroid is the local
origin: a placement's (x, y) is then where the piece's centroid lies, whatever the rotation, which
is where grain is measured against the backbone and what :meth:`Items.to_piece_frame` converts back
to the job's own frame for the solution. Orientation rows come from
:mod:`leathernest.geometry.orient`; on a strip (reference direction the x axis everywhere) they are
all FIXED, on a sheet of hides grain pieces get ALONG / CHECKED rows that follow each hide's
backbone.

Pools: the kernels take every piece's arrays as ranges of a few pooled arrays (shapes, hulls,
orientation rows), so all kernels see the same C-contiguous array types as the engine's own
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
    tol = 0.0
    if geometry is not None and piece.outline.n_vertices > geometry.piece_vertices:
        x0, y0, x1, y1 = piece.outline.bbox
        tol = geometry.piece_rel * max(x1 - x0, y1 - y0)
    base = engine.prepare(centred(piece)[0], simplify_tol_mm=tol)
    if poles is None:
        return base
    n, cover, frac = poles

    def more(arr):
        return shape_arrays(arr.polygon, poles_of(arr.polygon, n, cover, frac))

    fp = more(base.for_pieces)
    fs = fp if base.same else more(base.for_stock)
    return dataclasses.replace(base, for_pieces=fp, for_stock=fs)


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
    shapes: tuple[PreparedShape, ...]  # per piece (centred outlines)
    centroids: np.ndarray  # float64[P, 2]: local centroid of each piece in the job's frame
    hulls: tuple[np.ndarray, ...]  # per piece: float64[2, h]
    rows: tuple[np.ndarray, ...]  # per copy: float64[m, 6] orientation rows
    areas: np.ndarray  # float64[n]: area of the true outline, mm²
    min_dims: np.ndarray  # float64[n]: smaller side of the piece's bbox
    sizes: np.ndarray  # float64[n]: larger side of the piece's bbox
    grades: tuple[int | None, ...]  # distinct min_grade values
    grade_of: np.ndarray  # int64[n]: index into grades
    cross: np.ndarray  # uint8[n]
    params: np.ndarray  # float64[n, N_PARAMS]
    pools: Pools  # the shapes as the kernels take them
    hull_xy: np.ndarray  # float64[2, H]: hulls of all pieces, pooled
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
    """Prepare every piece once and list every copy with its orientations and parameters.

    reference_deg: the reference direction when it is one everywhere (0: strips), None on a sheet
    of hides (rows follow each hide's backbone).
    """
    shapes, cents = [], []
    for p in job.pieces:
        shapes.append(prepare_centred(engine, p, poles, geometry))
        cents.append(centred(p)[1])
    hulls = tuple(_hull(s) for s in shapes)
    index = {p.id: i for i, p in enumerate(job.pieces)}
    units = make_units(job)
    copy_key: dict[tuple[str, int], int] = {}
    pieces, copies, piece_of, rows = [], [], [], []
    for p in job.pieces:
        for c in range(p.n_copies):
            copy_key[(p.id, c)] = len(pieces)
            pieces.append(p)
            copies.append(c)
            piece_of.append(index[p.id])
            rows.append(orientation_rows(p, mirror_options(p, c), reference_deg))
    n = len(pieces)
    unit_of = np.zeros(n, dtype=np.int64)
    unit_list = []
    for u, unit in enumerate(units):
        ks_ = tuple(copy_key[(pc.piece.id, pc.copy)] for pc in unit)
        unit_list.append(ks_)
        for k in ks_:
            unit_of[k] = u
    grades = tuple(sorted({p.min_grade for p in job.pieces}, key=lambda g: (g is None, g or 0)))
    grade_of = np.array([grades.index(p.min_grade) for p in pieces], dtype=np.int64)
    bbs = np.array([p.outline.bbox for p in pieces]).reshape(-1, 4)
    min_dims = np.minimum(bbs[:, 2] - bbs[:, 0], bbs[:, 3] - bbs[:, 1]) if n else np.zeros(0)
    sizes = np.maximum(bbs[:, 2] - bbs[:, 0], bbs[:, 3] - bbs[:, 1]) if n else np.zeros(0)
    cross = np.array([1 if len(unit_list[unit_of[k]]) == 1 else 0 for k in range(n)],
                     dtype=np.uint8)
    params = np.array([move_params(move, float(min_dims[k]), float(sizes[k]))
                       for k in range(n)]).reshape(n, -1)
    pools = Pools(_pool_shapes([s.for_pieces for s in shapes]),
                  _pool_shapes([s.for_stock for s in shapes]),
                  np.array([1 if s.same else 0 for s in shapes], dtype=np.uint8),
                  np.array(piece_of, dtype=np.int64))
    rows_t = tuple(np.ascontiguousarray(r).reshape(-1, 6) for r in rows)
    rows_pool, rows_idx = _pool_rows(rows_t)
    h_start = np.cumsum([0] + [h.shape[1] for h in hulls])
    hull_idx = np.array([(h_start[i], hulls[i].shape[1]) for i in piece_of],
                        dtype=np.int64).reshape(-1, 2)
    return Items(
        job=job, pieces=tuple(pieces), copies=tuple(copies),
        piece_of=np.array(piece_of, dtype=np.int64), unit_of=unit_of, units=tuple(unit_list),
        shapes=tuple(shapes), centroids=np.array(cents).reshape(-1, 2), hulls=hulls,
        rows=rows_t, areas=np.array([p.area for p in pieces]), min_dims=min_dims, sizes=sizes,
        grades=grades, grade_of=grade_of, cross=cross, params=params, pools=pools,
        hull_xy=np.ascontiguousarray(np.concatenate(hulls, axis=1)) if hulls else np.zeros((2, 0)),
        hull_idx=hull_idx, rows_pool=rows_pool, rows_idx=rows_idx,
    )
