"""Items: equal outlines are prepared once, and copies listed one by one equal copies by demand."""

from __future__ import annotations

import numpy as np
from helpers import Grain, Mirror, hide_job, l_piece, rect, strip_job
from shapely.geometry import Polygon

from leathernest.collision.engine import CollisionEngine
from leathernest.config import DEFAULT_CONFIG
from leathernest.model import Outline, Piece, Rotations
from leathernest.search.items import build_items
from leathernest.search.layout import Layout

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


def test_layout_reserves_every_copy_as_adding_and_removing_it_would():
    pieces = [Piece(f"r{k}", Outline.of(rect(3 + k % 3, 2)), rotations=TURNS) for k in range(40)]
    pieces.append(l_piece("L", demand=5))
    job = strip_job(pieces, height=60.0, gap_mm=0.5)
    items, eng = _items(job, reference=0.0)
    Layout(items, eng, [None])
    _, old = _items(job, reference=0.0)
    park = (float(old.static.g[0]), float(old.static.g[1]))
    for k in range(items.n):  # what Layout did before the engine could reserve in one step
        old.add(k, items.shape(k), 0.0, False, *park)
        old.remove(k)
        old.fit_scratch(items.shape(k))
    for name in ("_vbase", "_vcap", "_rbase", "_rcap", "_pbase", "_pcap", "_nbase", "_ncap",
                 "_nrings", "_npoles", "_active", "_listed", "_head"):
        assert np.array_equal(getattr(eng, name), getattr(old, name)), name
    assert (eng._v_end, eng._r_end, eng._p_end, eng._n_end) == (
        old._v_end, old._r_end, old._p_end, old._n_end)
    assert np.array_equal(eng._rings[:eng._r_end], old._rings[:old._r_end])
    assert np.array_equal(eng._nkey[:eng._n_end], old._nkey[:old._n_end])
    assert eng._scratch.txy.shape == old._scratch.txy.shape
    # placing a copy later needs no new room: the kernels' record stays the same arrays
    xy = eng._xy
    eng.add(items.n - 1, items.shape(items.n - 1), 90.0, False, 30.0, 30.0)
    assert eng._xy is xy
    assert not eng.feasible(items.shape(0), 0.0, False, 30.0, 30.0)
