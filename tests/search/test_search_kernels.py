"""The search kernels against plain references: rotated bboxes, the generator, one move."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import l_piece, square_piece, strip_job

from leathernest.search import kernels as sk
from leathernest.search.separate import Separator, SeparatorConfig, engine_args
from leathernest.search.stop import StopToken
from leathernest.search.strip import DEFAULT_STRIP_CONFIG, StripSearch
from leathernest.geometry.transform import place_ring


@pytest.mark.parametrize("mirrored", [False, True])
@pytest.mark.parametrize("rot", [0.0, 33.0, 90.0, 181.5, 270.0])
def test_hull_bbox_equals_the_bounds_of_the_placed_hull(rot, mirrored):
    hull = np.array([[0.0, 20.0, 20.0, 10.0, 0.0], [0.0, 0.0, 10.0, 20.0, 20.0]])
    out = np.empty(4)
    sk.hull_bbox(hull, rot, mirrored, out)
    ring = place_ring(hull.T, rot, mirrored, 0.0, 0.0)
    ref = [ring[:, 0].min(), ring[:, 1].min(), ring[:, 0].max(), ring[:, 1].max()]
    assert np.allclose(out, ref, atol=1e-12)


def test_generator_is_reproducible_and_in_unit_interval():
    a = np.array([12345], dtype=np.uint64)
    b = np.array([12345], dtype=np.uint64)
    xs = [sk.next_u01(a) for _ in range(2000)]
    assert xs == [sk.next_u01(b) for _ in range(2000)]
    assert min(xs) >= 0.0
    assert max(xs) < 1.0
    assert 0.4 < float(np.mean(xs)) < 0.6
    assert {sk.next_int(a, 3) for _ in range(200)} == {0, 1, 2}


def test_a_move_never_increases_the_weighted_loss_of_the_piece():
    job = strip_job([square_piece("S", 10.0, demand=4), l_piece("L", demand=3)], height=33.0)
    s = StripSearch(job, DEFAULT_STRIP_CONFIG, 0, StopToken(60.0))
    s.start()
    s.set_length(s.state.length * 0.9, 0.5 * s.state.length)
    sep = Separator(s.state, s.tracker, SeparatorConfig(), np.random.default_rng(0))
    moved = 0
    for k in s.tracker.colliding().tolist():
        before = s.state.engine.overlap(
            s.state.shape(k), *_placement(s, k), ignore=k,
            w_static=s.tracker.w_ext[k], w_piece=s.tracker.w_pair[k]).total
        sep.move(k)
        after = s.state.engine.overlap(
            s.state.shape(k), *_placement(s, k), ignore=k,
            w_static=s.tracker.w_ext[k], w_piece=s.tracker.w_pair[k]).total
        assert after <= before * (1 + 1e-9) + 1e-12
        row = s.state.place[k]
        lo, hi, mir = s.items.orients[k][int(row[4])]
        assert lo <= row[0] <= hi
        assert mir == row[1]
        moved += 1
        assert engine_args(s.state, k, s.tracker)[8] == k
    assert moved > 0


def _placement(s, k):
    r, m, x, y = s.state.place[k, :4]
    return float(r), bool(m), float(x), float(y)
