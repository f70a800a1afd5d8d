"""The static hazard table of a hide or a strip, and the uniform grid over it (shapely + numpy).

Everything that blocks a placement and does not move is a static hazard (jagua-rs
``collision_detection/hazards/hazard.rs``):

- hazard 0, the exterior: the usable region is the hide's outline eroded by ``e - s`` minus its
  holes grown by ``d - s``, with ``e`` the edge margin, ``d`` the defect margin and ``s`` the
  piece's inflation against the stock (see :mod:`leathernest.collision.prepare` for the clearance
  arithmetic); hazard 0 holds all rings of that region (outer rings and holes, even-odd) and
  blocks everything outside it. Its ``box`` is the
  usable region's bbox, which the kernels test first. A strip has no rings: its exterior is exactly
  the box ``[e - s, L - (e - s)] x [e - s, H - (e - s)]``, so changing the strip length changes one
  number.
- hazards 1.., the zones, each polygon of a zone grown by ``d - s``, with its grade. Whether a zone
  blocks a piece is decided per query by a uint8 mask built with
  :func:`leathernest.model.zone_blocks`.

Each hazard carries poles (for the overlap proxy); the exterior's are inscribed circles of a frame
around the hide minus the usable region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import box as shapely_box

from leathernest.collision.prepare import erode, inflate, poles_of, stock_inflation, stock_margin
from leathernest.model import Hide, zone_blocks
from leathernest.shapes import hide_region, zone_region

KIND_EXTERIOR = 0
KIND_ZONE = 1
# The exterior's poles live in a frame this much wider (relative to the hide's larger side) than the
# hide, so that a piece sticking out anywhere meets a large exterior circle nearby.
FRAME_PAD_FRAC = 0.25
EXTERIOR_POLES = 16
HOLE_POLES = 3  # per hole of the usable region
# Grid: cells per side of the larger dimension of a hide when no cell size is given.
HIDE_CELLS = 48
# For a strip, cell height as a share of the strip height when no cell size is given.
STRIP_CELL_FRAC = 1.0 / 6.0


@dataclass(eq=False)
class StaticHazards:
    """The static table and grid (see :mod:`leathernest.collision.kernels.query` for the layout)."""

    xy: np.ndarray
    rings: np.ndarray
    hz_ring: np.ndarray
    kind: np.ndarray
    grade: np.ndarray  # int64[S], -1 for the exterior
    bbox: np.ndarray
    poles: np.ndarray
    hz_pole: np.ndarray
    edge_next: np.ndarray
    edge_hz: np.ndarray
    cell_start: np.ndarray
    cell_edges: np.ndarray
    row_start: np.ndarray
    row_edges: np.ndarray
    box: np.ndarray  # float64[4], mutable for strips
    g: np.ndarray  # float64[4]: x0, y0, 1/cell_w, 1/cell_h
    dims: np.ndarray  # int64[2]: nx, ny
    inset: float  # m - s: how far the usable box lies inside the strip edges

    def kernel(self) -> tuple:
        """The tuple the kernels take."""
        return (
            self.xy,
            self.rings,
            self.hz_ring,
            self.kind,
            self.bbox,
            self.poles,
            self.hz_pole,
            self.edge_next,
            self.edge_hz,
            self.cell_start,
            self.cell_edges,
            self.row_start,
            self.row_edges,
            self.box,
        )

    @property
    def n_hazards(self) -> int:
        """Number of static hazards (the exterior included)."""
        return int(self.kind.shape[0])

    def mask(self, min_grade: int | None) -> np.ndarray:
        """uint8[S]: 1 where the hazard blocks a piece needing min_grade (the exterior always)."""
        m = np.ones(self.n_hazards, dtype=np.uint8)
        for h in range(1, self.n_hazards):
            m[h] = 1 if zone_blocks(int(self.grade[h]), min_grade) else 0
        return m


def _grid(bounds: tuple[float, float, float, float], cell_w: float, cell_h: float):
    x0, y0, x1, y1 = bounds
    nx = max(1, min(4096, math.ceil((x1 - x0) / cell_w)))
    ny = max(1, min(4096, math.ceil((y1 - y0) / cell_h)))
    g = np.array([x0, y0, nx / max(x1 - x0, 1e-12), ny / max(y1 - y0, 1e-12)], dtype=np.float64)
    return g, np.array([nx, ny], dtype=np.int64)


def _build(
    polys: list,
    kinds: list[int],
    grades: list[int],
    pole_sets: list[np.ndarray],
    box: np.ndarray,
    g: np.ndarray,
    dims: np.ndarray,
    inset: float,
) -> StaticHazards:
    from leathernest.collision.kernels.grid import build_edge_cells, build_edge_rows

    ring_list: list[np.ndarray] = []
    hz_ring = [0]
    bboxes = []
    for geom in polys:
        for p in shapely.get_parts(shapely.orient_polygons(geom)):
            if p.is_empty:
                continue
            ring_list.append(np.asarray(p.exterior.coords)[:-1])
            ring_list.extend(np.asarray(h.coords)[:-1] for h in p.interiors)
        hz_ring.append(len(ring_list))
        bboxes.append(geom.bounds if not geom.is_empty else (0.0, 0.0, 0.0, 0.0))
    lens = [len(r) for r in ring_list]
    rings = np.zeros(len(ring_list) + 1, dtype=np.int64)
    rings[1:] = np.cumsum(lens)
    n_v = int(rings[-1])
    xy = np.ascontiguousarray(np.concatenate(ring_list).T) if ring_list else np.zeros((2, 0))
    edge_next = np.arange(1, n_v + 1, dtype=np.int64)
    edge_hz = np.zeros(n_v, dtype=np.int64)
    for r in range(len(ring_list)):
        edge_next[rings[r + 1] - 1] = rings[r]
    for h in range(len(polys)):
        edge_hz[rings[hz_ring[h]] : rings[hz_ring[h + 1]]] = h
    n_cells = int(dims[0] * dims[1])
    cell_start = np.zeros(n_cells + 1, dtype=np.int64)
    build_edge_cells(xy, edge_next, g, dims, cell_start, cell_start[:0], False)
    cell_start = np.cumsum(cell_start)
    cell_edges = np.zeros(int(cell_start[-1]), dtype=np.int64)
    build_edge_cells(xy, edge_next, g, dims, cell_start[:-1].copy(), cell_edges, True)
    row_start = np.zeros(int(dims[1]) + 1, dtype=np.int64)
    build_edge_rows(xy, edge_next, g, dims, row_start, row_start[:0], False)
    row_start = np.cumsum(row_start)
    row_edges = np.zeros(int(row_start[-1]), dtype=np.int64)
    build_edge_rows(xy, edge_next, g, dims, row_start[:-1].copy(), row_edges, True)
    hz_pole = np.zeros(len(pole_sets) + 1, dtype=np.int64)
    hz_pole[1:] = np.cumsum([p.shape[1] for p in pole_sets])
    poles = np.ascontiguousarray(np.concatenate(pole_sets, axis=1), dtype=np.float64)
    return StaticHazards(
        xy=np.ascontiguousarray(xy, dtype=np.float64),
        rings=rings,
        hz_ring=np.array(hz_ring, dtype=np.int64),
        kind=np.array(kinds, dtype=np.int8),
        grade=np.array(grades, dtype=np.int64),
        bbox=np.array(bboxes, dtype=np.float64).reshape(-1, 4),
        poles=poles,
        hz_pole=hz_pole,
        edge_next=edge_next,
        edge_hz=edge_hz,
        cell_start=cell_start,
        cell_edges=cell_edges,
        row_start=row_start,
        row_edges=row_edges,
        box=box,
        g=g,
        dims=dims,
        inset=inset,
    )


def _exterior_poles(frame) -> np.ndarray:
    """Poles of the exterior: the frame ring around the hide gets most, each hole its own few.

    Taking the largest circles over all parts together would leave a small hole without any pole,
    and a piece covering it would get only the decay term of faraway circles.
    """
    parts = sorted(shapely.get_parts(frame), key=lambda p: -p.area)
    sets = [poles_of(parts[0], max_poles=EXTERIOR_POLES, coverage=0.9, min_frac=0.02)]
    sets.extend(poles_of(p, max_poles=HOLE_POLES) for p in parts[1:] if p.area > 0)
    return np.concatenate(sets, axis=1)


def _usable(hide: Hide, edge: float, defect: float):
    """The hide's outline eroded by ``edge`` minus its holes grown by ``defect``."""
    if edge == defect or not hide.outline.holes:
        return erode(hide_region(hide), edge)
    holes = shapely.union_all([shapely.Polygon(h) for h in hide.outline.holes])
    return erode(shapely.Polygon(hide.outline.outer), edge).difference(inflate(holes, defect))


def hide_hazards(
    hide: Hide, gap_mm: float, margin_mm: float, cell_mm: float | None = None,
    simplify_tol_mm: float = 0.0, *, edge_margin_mm: float | None = None,
    defect_margin_mm: float | None = None,
) -> StaticHazards:
    """The static table of a hide: exterior (eroded usable region) and zones (grown).

    ``edge_margin_mm`` and ``defect_margin_mm`` default to ``margin_mm``; pieces must then be
    prepared with the smaller of the two (:func:`leathernest.collision.prepare.stock_margin`).
    ``simplify_tol_mm`` > 0 removes vertices conservatively: the usable region only shrinks and the
    zones only grow (:mod:`leathernest.collision.simplify`).
    """
    from leathernest.collision.simplify import simplify_inward, simplify_outward

    edge = margin_mm if edge_margin_mm is None else edge_margin_mm
    defect = margin_mm if defect_margin_mm is None else defect_margin_mm
    s = stock_inflation(gap_mm, stock_margin(edge, defect))
    d = defect - s
    usable = simplify_inward(_usable(hide, edge - s, d), simplify_tol_mm)
    if usable.is_empty:
        usable = shapely.Polygon()
    x0, y0, x1, y1 = usable.bounds if not usable.is_empty else hide.outline.bbox
    side = max(x1 - x0, y1 - y0)
    pad = FRAME_PAD_FRAC * side
    frame = shapely_box(x0 - pad, y0 - pad, x1 + pad, y1 + pad).difference(usable)
    polys = [usable]
    kinds, grades = [KIND_EXTERIOR], [-1]
    pole_sets = [_exterior_poles(frame)]
    for zone in hide.zones:
        grown = simplify_outward(inflate(zone_region(zone), d), simplify_tol_mm)
        for part in shapely.get_parts(grown):
            if part.is_empty or part.area <= 0:
                continue
            polys.append(part)
            kinds.append(KIND_ZONE)
            grades.append(int(zone.grade))
            pole_sets.append(poles_of(part))
    if usable.is_empty:
        box = np.array([0.0, 0.0, -1.0, -1.0])  # nothing fits
    else:
        box = np.array(usable.bounds, dtype=np.float64)
    all_bounds = shapely.union_all([p for p in polys if not p.is_empty]).bounds
    if any(math.isnan(v) for v in all_bounds):
        all_bounds = (x0, y0, x1, y1)
    cell = cell_mm or max(side, 1e-9) / HIDE_CELLS
    g, dims = _grid(all_bounds, cell, cell)
    return _build(polys, kinds, grades, pole_sets, box, g, dims, edge - s)


def strip_hazards(
    height: float, length: float, gap_mm: float, margin_mm: float, cell_mm: float | None = None
) -> StaticHazards:
    """The static table of a strip: only the box, whose length :func:`set_strip_length` changes."""
    d = margin_mm - stock_inflation(gap_mm, margin_mm)
    box = np.array([d, d, length - d, height - d], dtype=np.float64)
    cell = cell_mm or height * STRIP_CELL_FRAC
    g, dims = _grid((0.0, 0.0, max(length, cell), height), cell, cell)
    empty_poles = np.zeros((3, 0), dtype=np.float64)
    st = _build([shapely.Polygon()], [KIND_EXTERIOR], [-1], [empty_poles], box, g, dims, d)
    st.bbox[0] = (-math.inf, -math.inf, math.inf, math.inf)
    return st


def set_strip_length(st: StaticHazards, length: float) -> None:
    """Move the strip's right edge (the box is shared with the kernels' tuple, so no rebuild)."""
    st.box[2] = length - st.inset
