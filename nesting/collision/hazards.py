"""The static hazard table of a sheet of hides or a strip, and the uniform grid over it.

Everything that blocks a placement and does not move is a static hazard (jagua-rs
``collision_detection/hazards/hazard.rs``). One table serves every container of a search: the
hide copies of a job are laid out side by side on one *sheet* (each copy translated by its own
offset, far enough apart that no piece spans two), so one engine, one grid and one kernel answer
for all of them, and moving a piece to another hide is just a translation. A strip is a sheet with
one container whose right edge moves.

- hazard 0, the exterior: the usable region of every container (the hide's outline eroded by
  ``e - s`` minus its holes grown by ``d - s``, with ``e`` the edge margin, ``d`` the defect margin
  and ``s`` the piece's inflation against the stock; see :mod:`leathernest.collision.prepare` for
  the clearance arithmetic), all rings together (outer rings and holes, even-odd); it blocks
  everything outside them. Its ``box`` is
  the bbox of all usable regions, which the kernels test first. A strip has no rings: its exterior
  is exactly the box ``[e - s, L - (e - s)] x [e - s, H - (e - s)]``, so changing the strip length
  changes one number.
- zones, each polygon of a zone grown by ``d - s``, with its grade; whether a zone blocks a piece
  is decided per query by a uint8 mask built with :func:`leathernest.model.zone_blocks`;
- one *closure* hazard per hide copy (its usable region, grade :data:`GRADE_CLOSED`), in the mask
  only while that copy is closed: a closed hide blocks everything, so the search can take a hide
  out of play (and back) by changing one byte of a mask;
- one *wall* per hide copy (grade :data:`GRADE_WALL`, no rings): a moving limit across the hide,
  the half-plane ``n . v <= d`` that every vertex of a piece on it must keep (``walls[c]`` =
  ``(nx, ny, d)``, ``d = inf`` when it is open). Shrinking ``d`` compresses a hide's pieces
  towards one end the way a shorter strip compresses a strip's (:mod:`leathernest.search.hides`).

Each hazard carries poles (for the overlap proxy); the exterior's are inscribed circles of a frame
around each hide minus its usable region. ``container`` arrays say which container each hazard and
each static edge belongs to, so that the containment ray of a query only crosses the edges of the
container it starts in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import box as shapely_box

from leathernest.collision.kernels.grid import build_edge_cells, build_edge_rows
from leathernest.collision.prepare import erode, inflate, poles_of, stock_inflation, stock_margin
from leathernest.collision.records import Static
from leathernest.collision.simplify import simplify_inward, simplify_outward
from leathernest.geometry.shapes import hide_region, zone_region
from leathernest.model import Hide, zone_blocks

KIND_EXTERIOR = 0
KIND_ZONE = 1
KIND_WALL = 2
GRADE_EXTERIOR = -1
GRADE_CLOSED = -2  # the grade code of a closure hazard
GRADE_WALL = -3  # ... and of a wall
# The exterior's poles live in a frame this much wider (relative to the hide's larger side) than the
# hide, so that a piece sticking out anywhere meets a large exterior circle nearby. Hides on a sheet
# lie two frames apart.
FRAME_PAD_FRAC = 0.25
EXTERIOR_POLES = 16
HOLE_POLES = 3  # per hole of the usable region
CLOSURE_POLES = 8
# Grid: cells per side of the larger dimension of a hide when no cell size is given.
HIDE_CELLS = 48
# For a strip, cell height as a share of the strip height when no cell size is given.
STRIP_CELL_FRAC = 1.0 / 6.0


@dataclass(eq=False)
class StaticHazards:
    """The static table and grid (the fields of :class:`~leathernest.collision.records.Static`)."""

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
    container_box: np.ndarray  # float64[C, 4]: bbox of each container's usable region
    hz_container: np.ndarray  # int64[S]: container of each hazard (-1: the exterior)
    closure: np.ndarray  # int64[C]: hazard index of each container's closure (-1: none)
    cell_container: np.ndarray  # int64[cells]: container whose frame holds the cell (-1: none)
    edge_container: np.ndarray  # int64[V]: container of each static edge
    offsets: np.ndarray  # float64[C, 2]: where each container's own coordinates start on the sheet
    cont_hz: np.ndarray  # int64[C + 1]: hazards of container c are cont_hz[c] .. cont_hz[c + 1]
    ext_pole: np.ndarray  # int64[C + 1]: the exterior's poles around container c (pole indices)
    walls: np.ndarray  # float64[C, 3]: each container's wall (nx, ny, d), d = inf when open
    wall_hz: np.ndarray  # int64[C]: hazard index of each container's wall (-1: none)

    def record(self) -> Static:
        """The kernels' view (the arrays themselves, shared: ``box`` stays mutable)."""
        return Static(self.xy, self.rings, self.hz_ring, self.kind, self.bbox, self.poles,
                      self.hz_pole, self.edge_next, self.edge_hz, self.cell_start,
                      self.cell_edges, self.row_start, self.row_edges, self.box,
                      self.container_box, self.cell_container, self.edge_container,
                      self.hz_container, self.cont_hz, self.ext_pole, self.g, self.dims,
                      self.walls, self.wall_hz)

    @property
    def n_hazards(self) -> int:
        """Number of static hazards (the exterior included)."""
        return int(self.kind.shape[0])

    @property
    def n_containers(self) -> int:
        """Number of containers (hide copies, or 1 for a strip)."""
        return int(self.container_box.shape[0])

    def mask(self, min_grade: int | None, closed: np.ndarray | None = None,
             out: np.ndarray | None = None) -> np.ndarray:
        """uint8[S]: 1 where the hazard blocks a piece needing min_grade (the exterior always).

        closed: bool[C], containers taken out of play (their closure hazards block); out: an
        array to fill in place (kernel tuples keep referring to it).
        """
        m = np.ones(self.n_hazards, dtype=np.uint8) if out is None else out
        blocks = {g: zone_blocks(g, min_grade) for g in np.unique(self.grade).tolist()}
        m[:] = [blocks[g] for g in self.grade.tolist()]
        m[0] = 1
        m[self.grade == GRADE_WALL] = 1
        shut = np.flatnonzero(self.grade == GRADE_CLOSED)
        m[shut] = 0 if closed is None else closed[self.hz_container[shut]]
        return m


def _grid(bounds: tuple[float, float, float, float], cell_w: float, cell_h: float):
    x0, y0, x1, y1 = bounds
    nx = max(1, min(4096, math.ceil((x1 - x0) / cell_w)))
    ny = max(1, min(4096, math.ceil((y1 - y0) / cell_h)))
    g = np.array([x0, y0, nx / max(x1 - x0, 1e-12), ny / max(y1 - y0, 1e-12)], dtype=np.float64)
    return g, np.array([nx, ny], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class HideParts:
    """A hide's static geometry for the engine, in the hide's own coordinates (built once per hide).

    ``usable`` is the eroded usable region, ``frame_poles`` the exterior's poles around it,
    ``zones`` the grown zone polygons with their grades and poles, ``closure_poles`` poles of the
    usable region (the proxy of a closed hide), ``pad`` the frame width.
    """

    usable: object
    frame_poles: np.ndarray
    zones: tuple[tuple[object, int, np.ndarray], ...]
    closure_poles: np.ndarray
    bounds: tuple[float, float, float, float]
    pad: float
    inset: float


def _usable(hide: Hide, edge: float, defect: float):
    """The hide's outline eroded by ``edge`` minus its holes grown by ``defect``."""
    if edge == defect or not hide.outline.holes:
        return erode(hide_region(hide), edge)
    holes = shapely.union_all([shapely.Polygon(h) for h in hide.outline.holes])
    return erode(shapely.Polygon(hide.outline.outer), edge).difference(inflate(holes, defect))


def hide_parts(hide: Hide, gap_mm: float, margin_mm: float, simplify_tol_mm: float = 0.0, *,
               edge_margin_mm: float | None = None,
               defect_margin_mm: float | None = None) -> HideParts:
    """The static geometry of one hide (shapely work done once; copies are translations).

    ``edge_margin_mm`` and ``defect_margin_mm`` default to ``margin_mm``; pieces must then be
    prepared with the smaller of the two (:func:`leathernest.collision.prepare.stock_margin`).
    ``simplify_tol_mm`` > 0 removes vertices conservatively: the usable region only shrinks and the
    zones only grow (:mod:`leathernest.collision.simplify`).
    """
    edge = margin_mm if edge_margin_mm is None else edge_margin_mm
    defect = margin_mm if defect_margin_mm is None else defect_margin_mm
    s = stock_inflation(gap_mm, stock_margin(edge, defect))
    d = defect - s
    usable = simplify_inward(_usable(hide, edge - s, d), simplify_tol_mm)
    if usable.is_empty:
        usable = shapely.Polygon()
    x0, y0, x1, y1 = usable.bounds if not usable.is_empty else hide.outline.bbox
    side = max(x1 - x0, y1 - y0, 1e-9)
    pad = FRAME_PAD_FRAC * side
    frame = shapely_box(x0 - pad, y0 - pad, x1 + pad, y1 + pad).difference(usable)
    zones = []
    for zone in hide.zones:
        grown = simplify_outward(inflate(zone_region(zone), d), simplify_tol_mm)
        for part in shapely.get_parts(grown):
            if part.is_empty or part.area <= 0:
                continue
            zones.append((part, int(zone.grade), poles_of(part)))
    closure = (poles_of(usable, max_poles=CLOSURE_POLES, coverage=0.9, min_frac=0.05)
               if not usable.is_empty else np.zeros((3, 0)))
    return HideParts(usable, _exterior_poles(frame), tuple(zones), closure,
                     (x0, y0, x1, y1), pad, edge - s)


def sheet_offsets(parts: list[HideParts]) -> np.ndarray:
    """float64[C, 2] offsets laying the hides out in a near-square grid, two frames apart.

    Each hide sits in a cell of the largest hide's size plus its frames, so no piece can touch two
    hides and the frames (where the exterior's poles are) do not overlap.
    """
    n = len(parts)
    cols = max(1, math.ceil(math.sqrt(n)))
    w = max(p.bounds[2] - p.bounds[0] + 2.0 * p.pad for p in parts)
    h = max(p.bounds[3] - p.bounds[1] + 2.0 * p.pad for p in parts)
    out = np.zeros((n, 2))
    for i, p in enumerate(parts):
        r, c = divmod(i, cols)
        out[i, 0] = c * w - (p.bounds[0] - p.pad)
        out[i, 1] = r * h - (p.bounds[1] - p.pad)
    return out


def sheet_hazards(parts: list[HideParts], offsets: np.ndarray | None = None,
                  cell_mm: float | None = None, closures: bool = True) -> StaticHazards:
    """The static table of hide copies laid out on one sheet (see the module docstring).

    parts: per container (copies of a hide may share one HideParts); offsets: float64[C, 2] sheet
    position of each container's own origin (default :func:`sheet_offsets`); closures: give each
    container a closure hazard (a one-hide engine needs none).
    """
    offsets = sheet_offsets(parts) if offsets is None else np.asarray(offsets, dtype=np.float64)
    usable, frames = [], []
    polys: list = []
    kinds, grades, conts, pole_sets = [KIND_EXTERIOR], [GRADE_EXTERIOR], [-1], []
    boxes = np.zeros((len(parts), 4))
    closure = np.full(len(parts), -1, dtype=np.int64)
    wall_hz = np.full(len(parts), -1, dtype=np.int64)
    extra: list = []
    for c, (p, (dx, dy)) in enumerate(zip(parts, offsets, strict=True)):
        u = affinity.translate(p.usable, dx, dy)
        usable.append(u)
        frames.append(_shift_poles(p.frame_poles, dx, dy))
        boxes[c] = u.bounds if not u.is_empty else (0.0, 0.0, -1.0, -1.0)
        for zpoly, grade, zpoles in p.zones:
            extra.append((affinity.translate(zpoly, dx, dy), KIND_ZONE, grade, c,
                          _shift_poles(zpoles, dx, dy)))
        if closures and not u.is_empty:
            closure[c] = 1 + len(extra)
            extra.append((u, KIND_ZONE, GRADE_CLOSED, c, _shift_poles(p.closure_poles, dx, dy)))
            wall_hz[c] = 1 + len(extra)
            extra.append((shapely.Polygon(), KIND_WALL, GRADE_WALL, c, np.zeros((3, 0))))
    ext = shapely.union_all([u for u in usable if not u.is_empty]) if any(
        not u.is_empty for u in usable) else shapely.Polygon()
    polys.append(ext)
    pole_sets.append(np.concatenate(frames, axis=1))
    for geom, kind, grade, c, poles in extra:
        polys.append(geom)
        kinds.append(kind)
        grades.append(grade)
        conts.append(c)
        pole_sets.append(poles)
    frame_boxes = [(p.bounds[0] - p.pad + dx, p.bounds[1] - p.pad + dy,
                    p.bounds[2] + p.pad + dx, p.bounds[3] + p.pad + dy)
                   for p, (dx, dy) in zip(parts, offsets, strict=True)]
    bx = np.array(frame_boxes)
    all_bounds = (float(bx[:, 0].min()), float(bx[:, 1].min()), float(bx[:, 2].max()),
                  float(bx[:, 3].max()))
    side = max(max(b[2] - b[0], b[3] - b[1]) for b in frame_boxes) / (1.0 + 2 * FRAME_PAD_FRAC)
    cell = cell_mm or max(side, 1e-9) / HIDE_CELLS
    g, dims = _grid(all_bounds, cell, cell)
    box = (np.array(ext.bounds, dtype=np.float64) if not ext.is_empty
           else np.array([0.0, 0.0, -1.0, -1.0]))
    ext_pole = np.concatenate([[0], np.cumsum([f.shape[1] for f in frames])])
    st = _build(polys, kinds, grades, conts, pole_sets, box, g, dims, parts[0].inset, boxes,
                closure, offsets, _cell_containers(g, dims, frame_boxes), ext_pole, wall_hz)
    return st


def _shift_poles(poles: np.ndarray, dx: float, dy: float) -> np.ndarray:
    out = np.array(poles, dtype=np.float64, copy=True).reshape(3, -1)
    out[0] += dx
    out[1] += dy
    return out


def _cell_containers(g: np.ndarray, dims: np.ndarray, frame_boxes: list) -> np.ndarray:
    """int64[cells]: the container whose frame box holds each cell's centre (-1: none)."""
    nx, ny = int(dims[0]), int(dims[1])
    cx = g[0] + (np.arange(nx) + 0.5) / g[2]
    cy = g[1] + (np.arange(ny) + 0.5) / g[3]
    out = np.full(nx * ny, -1, dtype=np.int64)
    gx, gy = np.meshgrid(cx, cy)  # row-major: index iy * nx + ix
    gx, gy = gx.ravel(), gy.ravel()
    for c, (x0, y0, x1, y1) in enumerate(frame_boxes):
        inside = (gx >= x0) & (gx <= x1) & (gy >= y0) & (gy <= y1)
        out[inside & (out < 0)] = c
    return out


def _build(
    polys: list,
    kinds: list[int],
    grades: list[int],
    conts: list[int],
    pole_sets: list[np.ndarray],
    box: np.ndarray,
    g: np.ndarray,
    dims: np.ndarray,
    inset: float,
    container_box: np.ndarray,
    closure: np.ndarray,
    offsets: np.ndarray,
    cell_container: np.ndarray,
    ext_pole: np.ndarray,
    wall_hz: np.ndarray,
) -> StaticHazards:
    ring_list: list[np.ndarray] = []
    ring_cont: list[int] = []
    hz_ring = [0]
    bboxes = []
    for geom, cont in zip(polys, conts, strict=True):
        for p in shapely.get_parts(shapely.orient_polygons(geom)):
            if p.is_empty:
                continue
            rings_here = [np.asarray(p.exterior.coords)[:-1]]
            rings_here += [np.asarray(h.coords)[:-1] for h in p.interiors]
            for r in rings_here:
                ring_list.append(r)
                ring_cont.append(cont if cont >= 0 else _container_of(r, container_box))
        hz_ring.append(len(ring_list))
        bboxes.append(geom.bounds if not geom.is_empty else (0.0, 0.0, 0.0, 0.0))
    lens = [len(r) for r in ring_list]
    rings = np.zeros(len(ring_list) + 1, dtype=np.int64)
    rings[1:] = np.cumsum(lens)
    n_v = int(rings[-1])
    xy = np.ascontiguousarray(np.concatenate(ring_list).T) if ring_list else np.zeros((2, 0))
    edge_next = np.arange(1, n_v + 1, dtype=np.int64)
    edge_hz = np.zeros(n_v, dtype=np.int64)
    edge_container = np.zeros(n_v, dtype=np.int64)
    for r in range(len(ring_list)):
        edge_next[rings[r + 1] - 1] = rings[r]
        edge_container[rings[r] : rings[r + 1]] = ring_cont[r]
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
        container_box=np.ascontiguousarray(container_box, dtype=np.float64).reshape(-1, 4),
        hz_container=np.array(conts, dtype=np.int64),
        closure=np.asarray(closure, dtype=np.int64),
        cell_container=np.ascontiguousarray(cell_container, dtype=np.int64),
        edge_container=edge_container,
        offsets=np.ascontiguousarray(offsets, dtype=np.float64).reshape(-1, 2),
        cont_hz=_container_ranges(conts, container_box.reshape(-1, 4).shape[0]),
        ext_pole=np.asarray(ext_pole, dtype=np.int64),
        walls=np.tile(np.array([1.0, 0.0, math.inf]), (len(wall_hz), 1)),
        wall_hz=np.asarray(wall_hz, dtype=np.int64),
    )


def _container_ranges(conts: list[int], n_containers: int) -> np.ndarray:
    """int64[C + 1] hazard ranges per container (hazards 1.. are grouped by container)."""
    out = np.ones(n_containers + 1, dtype=np.int64)
    h = 1
    for c in range(n_containers):
        out[c] = h
        while h < len(conts) and conts[h] == c:
            h += 1
        out[c + 1] = h
    assert h == len(conts), "hazards must be grouped by container"
    return out


def _container_of(ring: np.ndarray, boxes: np.ndarray) -> int:
    """The container whose usable bbox holds a ring of the exterior (its first vertex)."""
    x, y = float(ring[0, 0]), float(ring[0, 1])
    for c in range(boxes.shape[0]):
        b = boxes[c]
        if b[0] <= x <= b[2] and b[1] <= y <= b[3]:
            return c
    return 0


def _exterior_poles(frame) -> np.ndarray:
    """Poles of the exterior: the frame ring around the hide gets most, each hole its own few.

    Taking the largest circles over all parts together would leave a small hole without any pole,
    and a piece covering it would get only the decay term of faraway circles.
    """
    parts = sorted(shapely.get_parts(frame), key=lambda p: -p.area)
    sets = [poles_of(parts[0], max_poles=EXTERIOR_POLES, coverage=0.9, min_frac=0.02)]
    sets.extend(poles_of(p, max_poles=HOLE_POLES) for p in parts[1:] if p.area > 0)
    return np.concatenate(sets, axis=1)


def hide_hazards(
    hide: Hide, gap_mm: float, margin_mm: float, cell_mm: float | None = None,
    simplify_tol_mm: float = 0.0, *, edge_margin_mm: float | None = None,
    defect_margin_mm: float | None = None,
) -> StaticHazards:
    """The static table of one hide in its own coordinates (a sheet of one, no closure)."""
    parts = hide_parts(hide, gap_mm, margin_mm, simplify_tol_mm, edge_margin_mm=edge_margin_mm,
                       defect_margin_mm=defect_margin_mm)
    return sheet_hazards([parts], np.zeros((1, 2)), cell_mm, closures=False)


def strip_hazards(
    height: float, length: float, gap_mm: float, margin_mm: float, cell_mm: float | None = None
) -> StaticHazards:
    """The static table of a strip: only the box, whose length :func:`set_strip_length` changes."""
    d = margin_mm - stock_inflation(gap_mm, margin_mm)
    box = np.array([d, d, length - d, height - d], dtype=np.float64)
    cell = cell_mm or height * STRIP_CELL_FRAC
    g, dims = _grid((0.0, 0.0, max(length, cell), height), cell, cell)
    empty_poles = np.zeros((3, 0), dtype=np.float64)
    st = _build([shapely.Polygon()], [KIND_EXTERIOR], [GRADE_EXTERIOR], [-1], [empty_poles], box,
                g, dims, d, box.reshape(1, 4).copy(), np.full(1, -1, dtype=np.int64),
                np.zeros((1, 2)),
                np.zeros(int(dims[0] * dims[1]), dtype=np.int64), np.zeros(2, dtype=np.int64),
                np.full(1, -1, dtype=np.int64))
    st.bbox[0] = (-math.inf, -math.inf, math.inf, math.inf)
    return st


def set_strip_length(st: StaticHazards, length: float) -> None:
    """Move the strip's right edge (the box is shared with the kernels' record, so no rebuild)."""
    st.box[2] = length - st.inset
    st.container_box[0, 2] = st.box[2]
