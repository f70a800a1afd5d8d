"""Items: equal outlines are prepared once, and copies listed one by one equal copies by demand."""

from __future__ import annotations

import numpy as np
from helpers import Grain, Mirror, hide_job, l_piece, rect
from shapely.geometry import Polygon

from leathernest.collision.engine import CollisionEngine
from leathernest.config import DEFAULT_CONFIG
from leathernest.model import Outline, Piece, Rotations
from leathernest.search.items import build_items

MOVE = DEFAULT_CONFIG.hides.move
TURNS = Rotations(angles_deg=(0.0, 90.0))


def _items(job, reference=None):
    n = sum(p.n_copies for p in job.pieces)
    if job.is_strip:
        eng = CollisionEngine.for_strip(job.stock, 500.0, gap_mm=job.gap_mm, max_pieces=n)
    else:
        eng = CollisionEngine.for_sheet(list(job.hides), gap_mm=job.gap_mm,
                                        margin_mm=job.margin_mm, max_pieces=n)
    return build_items(job, eng, reference, MOVE), eng


def test_outlines_equal_up_to_translation_share_one_prepared_shape():
    pieces = [Piece(f"r{k}", Outline.of(rect(6, 4, x=8.0 * k, y=2.0 * k)), rotations=TURNS,
                    min_grade=1 + k % 2) for k in range(5)]
    pieces.append(l_piece("L", min_grade=2))
    items, _ = _items(hide_job(pieces, gap_mm=1.0))
    assert len(items.outline_shapes) == 2
    rect_shape, l_shape = items.outline_shapes
    for i, p in enumerate(pieces):
        shape = items.shapes[i]
        expected = l_shape if p.id == "L" else rect_shape
        assert shape.for_pieces is expected.for_pieces
        assert shape.min_grade == p.min_grade  # the engine's zone filter reads the piece's grade
        c = Polygon(p.outline.outer).centroid
        assert np.allclose(items.centroids[i], (c.x, c.y), rtol=0, atol=1e-9)
    assert items.pools.shape_of.tolist() == [0, 0, 0, 0, 0, 1]
    # every copy's hull is its own outline's, from the pooled hulls of the distinct outlines
    for k in range(items.n):
        pool, start, count = items.hull(k)
        assert np.array_equal(pool[:, start:start + count], items.hulls[int(items.piece_of[k])])


def test_copies_listed_one_by_one_equal_copies_by_demand():
    """The per-copy arrays the kernels read do not depend on how the order lists its copies."""
    grain = Grain(0.0, 10.0)
    by_demand = [Piece("p", Outline.of(rect(30, 12)), demand=4, mirror=Mirror.PAIR, grain=grain,
                       min_grade=2),
                 l_piece("L", demand=3)]
    one_by_one = [Piece(f"p{k}", Outline.of(rect(30, 12)), mirror=Mirror.PAIR, grain=grain,
                        min_grade=2) for k in range(4)]
    one_by_one += [l_piece(f"L{k}") for k in range(3)]
    a, _ = _items(hide_job(by_demand))
    b, _ = _items(hide_job(one_by_one))
    assert a.n == b.n == 11
    for name in ("areas", "min_dims", "sizes", "grade_of", "cross", "params", "unit_of",
                 "rows_pool", "rows_idx", "hull_xy", "hull_idx"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.centroids[a.piece_of], b.centroids[b.piece_of])
    assert a.units == b.units
    assert a.pools.shape_of.tolist() == b.pools.shape_of.tolist()
    assert sorted(len(u) for u in a.units) == [1, 1, 1, 2, 2, 2, 2]  # pairs stay together
    # mirrored pair copies get their own rows; each copy's rows come from the pool
    for k in range(a.n):
        assert np.array_equal(a.kernel_rows(k), a.rows[k])
