"""The uniform grid shared by static edges and placed pieces (EXACT: it selects what is tested).

Geometry ``g`` is float64[4]: x0, y0, 1/cell_w, 1/cell_h; ``dims`` int64[2]: nx, ny. Coordinates
outside the grid clamp to the border cells, so the grid stays correct for anything placed beyond it
(a strip longer than planned): clamping is monotone, so a query and an item that overlap always
share a cell. Each item is listed in every cell its bbox meets; a pair is processed only in its
reference cell (the lowest cell of the overlap of the two cell ranges), so no visited marks are
needed.

Placed pieces live in linked lists, one per cell: ``head`` int64[nx * ny] (first node or -1),
``nxt``/``prv`` int64[N] and ``nkey`` int64[N] (the key a node lists). Each key owns a fixed block
of nodes, sized by the engine for the largest cell range its shape can cover in any orientation, so
an insertion never runs out of room: moving pieces (also inside a Numba loop) never reallocates.
"""

from __future__ import annotations

from leathernest.collision.jit import EXACT, kernel


@kernel(EXACT)
def cell_of(v: float, v0: float, inv: float, n: int) -> int:
    """Clamped cell index of coordinate v (NaN maps to cell 0; callers reject NaN earlier)."""
    f = (v - v0) * inv
    if not f > 0.0:
        return 0
    if f >= n:
        return n - 1
    return int(f)


@kernel(EXACT)
def cell_range(bbox, g, dims, out):
    """Fill out (int64[4]) with the clamped cell range ix0, iy0, ix1, iy1 of bbox (float64[4])."""
    out[0] = cell_of(bbox[0], g[0], g[2], dims[0])
    out[1] = cell_of(bbox[1], g[1], g[3], dims[1])
    out[2] = cell_of(bbox[2], g[0], g[2], dims[0])
    out[3] = cell_of(bbox[3], g[1], g[3], dims[1])


@kernel(EXACT)
def grid_insert(key: int, rng, dims, head, nxt, prv, nbase, ncap) -> bool:
    """List key in every cell of rng (int64[4]), at the head of each cell's list.

    Key k owns the nodes ``nbase[k] .. nbase[k] + ncap[k]``; the t-th cell of its range (row by
    row) uses node ``nbase[k] + t``. Returns False, inserting nothing, if the range has more cells
    than the key owns nodes (cannot happen for ranges of the key's own shape, see the engine).
    """
    nx = dims[0]
    n_cells = (rng[2] - rng[0] + 1) * (rng[3] - rng[1] + 1)
    if n_cells > ncap[key]:
        return False
    node = nbase[key]
    for iy in range(rng[1], rng[3] + 1):
        for ix in range(rng[0], rng[2] + 1):
            c = iy * nx + ix
            h = head[c]
            nxt[node] = h
            prv[node] = -1
            if h >= 0:
                prv[h] = node
            head[c] = node
            node += 1
    return True


@kernel(EXACT)
def grid_remove(key: int, rng, dims, head, nxt, prv, nbase) -> None:
    """Unlink key's nodes from every cell of rng (the range it was inserted with)."""
    nx = dims[0]
    node = nbase[key]
    for iy in range(rng[1], rng[3] + 1):
        for ix in range(rng[0], rng[2] + 1):
            p, n = prv[node], nxt[node]
            if p >= 0:
                nxt[p] = n
            else:
                head[iy * nx + ix] = n
            if n >= 0:
                prv[n] = p
            node += 1


@kernel(EXACT)
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


@kernel(EXACT)
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
