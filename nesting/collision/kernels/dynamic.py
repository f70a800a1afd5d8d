"""Placing a registered piece in the engine's dynamic arrays (EXACT): the engine's one move.

Both the engine's Python methods (``add``, ``move``) and the search's Numba loops move pieces with
:func:`set_key`, so a piece moved inside a kernel lands exactly where the engine would put it.
``dy`` is the engine's dynamic tuple (:mod:`leathernest.collision.kernels.query`).
"""

from __future__ import annotations

import math

from numba import njit

from leathernest.collision.jit import EXACT
from leathernest.collision.kernels.grid import cell_range, grid_insert, grid_remove
from leathernest.collision.kernels.place import place_into


@njit(cache=True, nogil=True, fastmath=EXACT)
def set_key(key: int, sxy, v0: int, n: int, sp, p0: int, m: int, rot_deg: float, mirrored: bool,
            x: float, y: float, dy, g, dims, listed: bool) -> bool:
    """Place key's local shape (vertices sxy[:, v0:v0+n], poles sp[:, p0:p0+m]) at the placement.

    listed: the key is in the grid now (a move) and is unlinked first. Returns False only if the
    key's node block is too small (an engine bug).
    """
    xy, vbase, poles, pbase, bbox, cells = dy[1], dy[2], dy[6], dy[7], dy[9], dy[10]
    head, nxt, prv, nbase, ncap = dy[11], dy[12], dy[14], dy[15], dy[16]
    if listed:
        grid_remove(key, cells[key], dims, head, nxt, prv, nbase)
    a = rot_deg * (math.pi / 180.0)
    place_into(sxy, v0, n, sp, p0, m, math.cos(a), math.sin(a), mirrored, x, y, xy, vbase[key],
               poles, pbase[key], bbox[key])
    cell_range(bbox[key], g, dims, cells[key])
    return grid_insert(key, cells[key], dims, head, nxt, prv, nbase, ncap)
