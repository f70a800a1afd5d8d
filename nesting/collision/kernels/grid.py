"""The uniform grid shared by static edges and placed pieces (EXACT: it selects what is tested).

Geometry ``g`` is float64[4]: x0, y0, 1/cell_w, 1/cell_h; ``dims`` int64[2]: nx, ny. Coordinates
outside the grid clamp to the border cells, so the grid stays correct for anything placed beyond it
(a strip longer than planned): clamping is monotone, so a query and an item that overlap always
share a cell. Each item is listed in every cell its bbox meets; a pair is processed only in its
reference cell (the lowest cell of the overlap of the two cell ranges), so no visited marks are
needed.

Placed pieces live in ``items`` int64[nx * ny, cap] with ``count`` int64[nx * ny]; insertion returns
False when a cell is full, and the Python side grows ``cap`` and retries.
"""

from __future__ import annotations

from numba import njit

from leathernest.collision.jit import EXACT


@njit(cache=True, nogil=True, fastmath=EXACT)
def cell_of(v: float, v0: float, inv: float, n: int) -> int:
    """Clamped cell index of coordinate v (NaN maps to cell 0; callers reject NaN earlier)."""
    f = (v - v0) * inv
    if not f > 0.0:
        return 0
    if f >= n:
        return n - 1
    return int(f)


@njit(cache=True, nogil=True, fastmath=EXACT)
def cell_range(bbox, g, dims, out):
    """Fill out (int64[4]) with the clamped cell range ix0, iy0, ix1, iy1 of bbox (float64[4])."""
    out[0] = cell_of(bbox[0], g[0], g[2], dims[0])
    out[1] = cell_of(bbox[1], g[1], g[3], dims[1])
    out[2] = cell_of(bbox[2], g[0], g[2], dims[0])
    out[3] = cell_of(bbox[3], g[1], g[3], dims[1])


@njit(cache=True, nogil=True, fastmath=EXACT)
def grid_insert(key: int, rng, dims, items, count) -> bool:
    """List key in every cell of rng (int64[4]); False, inserting nothing, if a cell is full."""
    nx = dims[0]
    cap = items.shape[1]
    for iy in range(rng[1], rng[3] + 1):
        for ix in range(rng[0], rng[2] + 1):
            if count[iy * nx + ix] >= cap:
                return False
    for iy in range(rng[1], rng[3] + 1):
        for ix in range(rng[0], rng[2] + 1):
            c = iy * nx + ix
            items[c, count[c]] = key
            count[c] += 1
    return True


@njit(cache=True, nogil=True, fastmath=EXACT)
def grid_remove(key: int, rng, dims, items, count) -> None:
    """Remove key from every cell of rng (swap with the cell's last entry)."""
    nx = dims[0]
    for iy in range(rng[1], rng[3] + 1):
        for ix in range(rng[0], rng[2] + 1):
            c = iy * nx + ix
            n = count[c]
            for k in range(n):
                if items[c, k] == key:
                    items[c, k] = items[c, n - 1]
                    count[c] = n - 1
                    break


@njit(cache=True, nogil=True, fastmath=EXACT)
def build_edge_cells(xy, edge_next, g, dims, cell_start, cell_edges, fill: bool) -> int:
    """Count (fill False) or list (fill True) the static edges of every cell, CSR style.

    xy: float64[2, V]; edge_next: int64[V] (edge e runs from vertex e to edge_next[e]); cell_start:
    int64[C + 1], on the counting pass receives counts at c + 1; cell_edges: int64[total] filled on
    the
    second pass, using cell_start as write cursors that the caller copied beforehand. Returns the
    total.
    The cell range of an edge is computed exactly as the queries compute it (cell_of of its bbox).
    """
    nx, ny = dims[0], dims[1]
    total = 0
    for e in range(xy.shape[1]):
        f = edge_next[e]
        ix0 = cell_of(min(xy[0, e], xy[0, f]), g[0], g[2], nx)
        ix1 = cell_of(max(xy[0, e], xy[0, f]), g[0], g[2], nx)
        iy0 = cell_of(min(xy[1, e], xy[1, f]), g[1], g[3], ny)
        iy1 = cell_of(max(xy[1, e], xy[1, f]), g[1], g[3], ny)
        for iy in range(iy0, iy1 + 1):
            for ix in range(ix0, ix1 + 1):
                c = iy * nx + ix
                if fill:
                    cell_edges[cell_start[c]] = e
                    cell_start[c] += 1
                else:
                    cell_start[c + 1] += 1
                total += 1
    return total


@njit(cache=True, nogil=True, fastmath=EXACT)
def build_edge_rows(xy, edge_next, g, dims, row_start, row_edges, fill: bool) -> int:
    """As :func:`build_edge_cells` for grid rows (every edge whose y-span meets the row)."""
    ny = dims[1]
    total = 0
    for e in range(xy.shape[1]):
        f = edge_next[e]
        iy0 = cell_of(min(xy[1, e], xy[1, f]), g[1], g[3], ny)
        iy1 = cell_of(max(xy[1, e], xy[1, f]), g[1], g[3], ny)
        for iy in range(iy0, iy1 + 1):
            if fill:
                row_edges[row_start[iy]] = e
                row_start[iy] += 1
            else:
                row_start[iy + 1] += 1
            total += 1
    return total
