"""Placing a registered piece among the engine's placed pieces (EXACT): the engine's one move.

Both the engine's Python methods (``add``, ``move``) and the search's Numba loops move pieces with
:func:`set_key`, so a piece moved inside a kernel lands exactly where the engine would put it.
"""

from __future__ import annotations

import math

from leathernest.collision.jit import EXACT, kernel
from leathernest.collision.kernels.grid import cell_range, grid_insert, grid_remove
from leathernest.collision.kernels.place import place_into


@kernel(EXACT)
def set_key(key: int, shape, rot_deg: float, mirrored: bool, x: float, y: float, placed, grid,
            dims, listed: bool) -> bool:
    """Place key's local shape (a :class:`~leathernest.collision.records.Shape`) at a placement.

    placed: the :class:`~leathernest.collision.records.Placed` record; listed: the key is in the
    grid now (a move) and is unlinked first. Returns False only if the key's node block is too
    small (an engine bug).
    """
    cells, bbox = placed.cells, placed.bbox
    head, nxt, prv, nbase, ncap = placed.head, placed.nxt, placed.prv, placed.nbase, placed.ncap
    if listed:
        grid_remove(key, cells[key], dims, head, nxt, prv, nbase)
    a = rot_deg * (math.pi / 180.0)
    place_into(shape.xy, shape.v0, shape.n_vertices, shape.poles, shape.p0, shape.n_poles,
               math.cos(a), math.sin(a), mirrored, x, y, placed.xy, placed.vbase[key],
               placed.poles, placed.pbase[key], bbox[key])
    cell_range(bbox[key], grid, dims, cells[key])
    return grid_insert(key, cells[key], dims, head, nxt, prv, nbase, ncap)
