"""The uniform grid shared by static edges and placed pieces (EXACT: it selects what is tested).

Geometry ``g`` is float64[4]: x0, y0, 1/cell_w, 1/cell_h; ``dims`` int64[2]: nx, ny. Coordinates
outside the grid clamp to the border cells, so the grid stays correct for anything placed beyond it
(a strip longer than planned): clamping is monotone, so a query and an item that overlap always share
a cell. Each item is listed in every cell its bbox meets; a pair is processed only in its reference
cell (the lowest cell of the overlap of the two cell ranges), so no visited marks are needed.

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
    """List key in every cell of rng (int64[4]); False (and nothing inserted) when a cell is full."""
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
