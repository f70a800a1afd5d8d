"""What the kernels read of one copy: its shapes, its query probe, its orientation rows, its hull.

Copies are the items of a search (:mod:`leathernest.search.items`); copy k's shape, rows and hull
are ranges of the pools in the :class:`~leathernest.search.kernels.records.LayoutArrays` record.
"""

from __future__ import annotations

from leathernest.collision.jit import EXACT, kernel
from leathernest.collision.records import Probe, Shape


@kernel(EXACT)
def shape_of(s: int, pool) -> Shape:
    """Shape s of one variant's pool (a :class:`~.records.ShapePool`) as a Shape record."""
    i = pool.index[s]
    return Shape(pool.xy, i[0], i[1], pool.rings[i[2] : i[2] + i[3]], pool.poles, i[4], i[5])


@kernel(EXACT)
def probe_of(pools, masks, grade_of, k: int, loss: bool, w_static, w_piece) -> Probe:
    """The query probe of copy k: its two shapes, its grade's mask, itself ignored, weights.

    Takes the members of the layout record it reads, not the record: a kernel's arguments cost
    compile time in proportion to the arrays they hold.
    """
    s = pools.shape_of[k]
    return Probe(shape_of(s, pools.for_pieces), shape_of(s, pools.for_stock),
                 pools.same[s] != 0, masks[grade_of[k]], k, w_static, w_piece, loss)


@kernel(EXACT)
def rows_of(items, k: int):
    """Orientation rows of copy k (a view of the pool)."""
    r = items.rows_idx[k]
    return items.rows[r[0] : r[0] + r[1]]


@kernel(EXACT)
def hull_range(items, k: int) -> tuple:
    """(first, count) of copy k's hull vertices in ``items.hull_xy``."""
    h = items.hull_idx[k]
    return h[0], h[1]
