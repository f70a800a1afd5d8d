"""The search kernels against plain references: bboxes, the generator, the backbone field, one
move, and the Numba separator loop against its Python reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import l_piece, square_piece, strip_job
from reference_separator import separate_reference
from shapely.geometry import Point

from leathernest.config import SeparatorConfig
from leathernest.geometry.backbone import backbone_arrays, reference_deg
from leathernest.geometry.transform import place_ring
from leathernest.model import Hide, Outline
from leathernest.search.kernels import field as kf
from leathernest.search.kernels import sample as ks
from leathernest.search.kernels import separate as ksep
from leathernest.search.kernels.rng import next_int, next_u01, seeded
from leathernest.search.separate import Separator
from leathernest.search.stop import StopToken
from leathernest.search.strip import DEFAULT_STRIP_CONFIG, StripProblem
from leathernest.validate import backbone_direction_deg


@pytest.mark.parametrize("mirrored", [False, True])
@pytest.mark.parametrize("rot", [0.0, 33.0, 90.0, 181.5, 270.0])
def test_hull_bbox_equals_the_bounds_of_the_placed_hull(rot, mirrored):
    pool = np.array([[9.0, 0.0, 20.0, 20.0, 10.0, 0.0], [9.0, 0.0, 0.0, 10.0, 20.0, 20.0]])
    out = np.empty(4)
    ks.hull_bbox(pool, 1, 5, rot, mirrored, out)  # the hull is the pool's range 1..6
    ring = place_ring(pool[:, 1:].T, rot, mirrored, 0.0, 0.0)
    ref = [ring[:, 0].min(), ring[:, 1].min(), ring[:, 0].max(), ring[:, 1].max()]
    assert np.allclose(out, ref, atol=1e-12)


def test_generator_is_reproducible_and_in_unit_interval():
    a, b = seeded(12345), seeded(12345)
    xs = [next_u01(a) for _ in range(2000)]
    assert xs == [next_u01(b) for _ in range(2000)]
    assert min(xs) >= 0.0
    assert max(xs) < 1.0
    assert 0.4 < float(np.mean(xs)) < 0.6
    assert {next_int(a, 3) for _ in range(200)} == {0, 1, 2}


def test_backbone_field_is_the_same_in_numba_numpy_and_the_validator():
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(60):
        bb = np.cumsum(rng.uniform(-50, 100, (int(rng.integers(2, 7)), 2)), axis=0)
        hide = Hide("h", Outline.of([[0, 0], [10, 0], [10, 10]]), backbone=bb)
        arr = backbone_arrays(bb)
        off = np.array([0, arr.xy.shape[1]], dtype=np.int64)
        mid = np.concatenate([arr.mid, [0.0]])
        ang = np.concatenate([arr.ang, [0.0]])
        for _ in range(30):
            x, y = rng.uniform(-200, 600, 2)
            a = reference_deg(arr, x, y)
            b = math.degrees(kf.reference_rad(0, x, y, off, arr.xy, arr.s, mid, ang)) % 360.0
            c = backbone_direction_deg(hide, Point(x, y))
            worst = max(worst, abs((a - b + 180) % 360 - 180), abs((a - c + 180) % 360 - 180))
    assert worst < 1e-9


def test_the_field_turns_smoothly_along_a_bent_backbone():
    bb = backbone_arrays(np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 100.0]]))
    along = [reference_deg(bb, x, -5.0) for x in np.linspace(0.0, 140.0, 200)]
    steps = np.abs(np.diff(along))
    assert along[0] == pytest.approx(0.0)
    assert max(steps) < 1.0  # no jump at the bend
    assert 20.0 < along[-1] < 46.0


def _shrunk_strip(seed: int = 0) -> StripProblem:
    job = strip_job([square_piece("S", 10.0, demand=4), l_piece("L", demand=3)], height=33.0)
    s = StripProblem(job, DEFAULT_STRIP_CONFIG, seed, StopToken(600.0))
    s.start()
    s.set_length(s.length * 0.85, 0.5 * s.length)
    return s


def _weighted_loss(lay, k: int) -> float:
    """Copy k's weighted loss where it lies, through the engine's Python API."""
    r, m, x, y = (float(v) for v in lay.place[k, :4])
    return lay.engine.overlap(lay.items.shape(k), r, m != 0.0, x, y, ignore=k,
                              w_static=lay.tracker.w_ext[k], w_piece=lay.tracker.w_pair[k]).total


def test_a_move_never_increases_the_weighted_loss_of_the_piece():
    s = _shrunk_strip()
    lay = s.layout
    moved = 0
    out = np.empty(6)
    for k in lay.tracker.colliding(lay.live).tolist():
        before = _weighted_loss(lay, k)
        ksep.move_copy(lay.arrays, k, s.krng, out)
        lay.sync_engine()
        after = _weighted_loss(lay, k)
        assert after <= before * (1 + 1e-9) + 1e-12
        row = lay.place[k]
        lo, hi, mir = lay.items.kernel_rows(k)[int(row[4])][:3]
        assert lo - 1e-9 <= row[0] <= hi + 1e-9
        assert mir == row[1]
        moved += 1
    assert moved > 0


def test_tracker_losses_match_a_fresh_recomputation_after_a_separation():
    s = _shrunk_strip(2)
    lay = s.layout
    Separator(lay, SeparatorConfig(iter_no_improve=20, strikes=2), s.krng).separate(
        StopToken(600.0, effort=30_000))
    t = lay.tracker
    pair, ext, sp, se = t.pair.copy(), t.ext.copy(), t.sp.copy(), t.se.copy()
    lay.rebuild_tracker()
    assert np.allclose(pair, t.pair, rtol=1e-12, atol=1e-12)
    assert np.allclose(ext, t.ext, rtol=1e-12, atol=1e-12)
    assert np.allclose(sp, t.sp)
    assert np.allclose(se, t.se)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_numba_separator_makes_the_moves_of_its_python_reference(seed):
    cfg = SeparatorConfig(iter_no_improve=15, strikes=2)
    a, b = _shrunk_strip(seed), _shrunk_strip(seed)
    rng_a, rng_b = seeded(seed + 10), seeded(seed + 10)
    a.layout.tracker.reset_weights()
    b.layout.tracker.reset_weights()
    ok_a, moves_a = separate_reference(a.layout, cfg, rng_a)
    sep = Separator(b.layout, cfg, rng_b)
    ok_b = sep.separate(StopToken(600.0))
    assert ok_a == ok_b
    assert moves_a == sep.moves > 0
    assert np.array_equal(a.layout.place, b.layout.place)
    assert rng_a[0] == rng_b[0]


def test_work_cut_into_chunks_gives_the_same_moves(monkeypatch):
    from leathernest.search import separate as sp_mod

    cfg = SeparatorConfig(iter_no_improve=15, strikes=2)
    a, b = _shrunk_strip(3), _shrunk_strip(3)
    Separator(a.layout, cfg, seeded(5)).separate(StopToken(600.0))
    monkeypatch.setattr(sp_mod, "CHUNK", 97)  # pause and resume every 97 evaluations
    Separator(b.layout, cfg, seeded(5)).separate(StopToken(600.0))
    assert np.array_equal(a.layout.place, b.layout.place)
