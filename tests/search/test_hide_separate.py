"""Insertion by separation on a hide copy: shifts pieces to make room, or changes nothing."""

import numpy as np
import pytest
from helpers import assert_valid, hide_job, rect, sol

from leathernest.model import Grain, Hide, Outline, Piece, Placement, Rotations
from leathernest.search.baseline import PieceCopy
from leathernest.search.hide_pack import HideBin, HidePacker
from leathernest.search.hide_separate import insert_by_separation
from leathernest.search.stop import StopToken

QUARTER = Rotations(angles_deg=(0.0, 90.0))


def _setup(bar_w: float = 20.0, n_bars: int = 1, grain: Grain | None = None,
           seed: int = 0, backbone: np.ndarray | None = None) -> tuple:
    """A 105 x 50 hide holding two 40 x 40 squares at x = 8 and x = 57.

    The free strips (8, 9 and 8 mm wide) leave no room for a 20 x 40 bar in any orientation,
    but pushing the squares to the sides frees a 25 mm wide slot in the middle.
    """
    sq = Piece("sq", Outline.of(rect(40, 40)), demand=2, rotations=QUARTER)
    bar = Piece("bar", Outline.of(rect(bar_w, 40)), demand=n_bars,
                rotations=Rotations(free=True) if grain else QUARTER, grain=grain)
    hide = Hide("H", Outline.of(rect(105, 50)), backbone=backbone)
    job = hide_job([sq, bar], [hide])
    packer = HidePacker(job, np.random.default_rng(seed))
    b = packer.new_bin(hide, 0)
    for k, x in enumerate((8.0, 57.0)):
        b.engine.add(k, packer.shape(sq), 0.0, False, x, 5.0)
        b.placements[k] = Placement("sq", k, "H", 0.0, False, x, 5.0, 0)
        b.area += sq.area
    units = [[PieceCopy(bar, k, (False,))] for k in range(n_bars)]
    return job, packer, b, units


def _engine_state(b: HideBin) -> list:
    return [b.engine.placement(int(k))[1:] for k in b.engine.placed_keys()]


def test_bar_that_the_packer_refuses_fits_after_the_squares_shift():
    job, packer, b, units = _setup()
    assert not packer.place_unit(b, units[0])
    assert insert_by_separation(packer, b, units, StopToken(60.0), np.random.default_rng(3))
    assert sorted(p.piece_id for p in b.placements.values()) == ["bar", "sq", "sq"]
    assert b.area == pytest.approx(2 * 1600.0 + 800.0)
    assert sorted(b.placements) == b.engine.placed_keys().tolist()
    for key, pl in b.placements.items():
        assert b.engine.placement(key)[1:] == (pl.rotation_deg, pl.mirrored, pl.x, pl.y)
        assert (pl.hide_id, pl.hide_copy) == ("H", 0)
    moved = [pl.x for pl in b.placements.values() if pl.piece_id == "sq"]
    assert moved != [8.0, 57.0]
    assert_valid(job, sol(job, list(b.placements.values())))


def test_grain_piece_keeps_a_grain_aligned_angle():
    # free rotation, grain along the bar's long side, backbone across the hide: only upright
    # placements (0 or 180 degrees) are allowed, and only they fit between the shifted squares
    job, packer, b, units = _setup(grain=Grain(90.0, 3.0),
                                   backbone=np.array([[52.5, 0.0], [52.5, 50.0]]))
    assert insert_by_separation(packer, b, units, StopToken(60.0), np.random.default_rng(5))
    bar = next(pl for pl in b.placements.values() if pl.piece_id == "bar")
    assert min(bar.rotation_deg % 180.0, 180.0 - bar.rotation_deg % 180.0) == pytest.approx(0.0)
    assert_valid(job, sol(job, list(b.placements.values())))


def test_impossible_insertion_returns_false_and_changes_nothing():
    # a third 40 x 40 square: the area is there (4800 of 5250 mm²) but 3 x 40 > 105 and 2 x 40 > 50
    job, packer, b, units = _setup(bar_w=40.0)
    before = (dict(b.placements), b.area, b.next_key, _engine_state(b))
    probe = packer.shape(job.piece("sq"))
    probes = [(0.0, False, x, y) for x in (0.0, 10.0, 50.0, 60.0) for y in (2.0, 8.0)]
    feas = [b.engine.feasible(probe, *p) for p in probes]
    assert not insert_by_separation(packer, b, units, StopToken(60.0), np.random.default_rng(1),
                                    budget_iters=40)
    assert (dict(b.placements), b.area, b.next_key, _engine_state(b)) == before
    assert [b.engine.feasible(probe, *p) for p in probes] == feas
    # the hide copy still works for the ordinary packer afterwards
    small = Piece("s", Outline.of(rect(5, 30)), rotations=QUARTER)
    assert packer.place_copy(b, PieceCopy(small, 0, (False,))) is not None


def test_same_seed_gives_the_same_layout():
    runs = []
    for _ in range(2):
        _job, packer, b, units = _setup()
        assert insert_by_separation(packer, b, units, StopToken(60.0), np.random.default_rng(11))
        runs.append(sorted(b.placements.items()))
    assert runs[0] == runs[1]


def test_two_units_inserted_at_once():
    # two 10 x 40 bars: total width 100 of 105, so both squares and both bars must line up
    job, packer, b, units = _setup(bar_w=10.0, n_bars=2)
    assert not packer.place_unit(b, units[0]) or not packer.place_unit(b, units[1])
    _job, packer, b, units = _setup(bar_w=10.0, n_bars=2)
    assert insert_by_separation(packer, b, units, StopToken(60.0), np.random.default_rng(2))
    assert sorted(p.piece_id for p in b.placements.values()) == ["bar", "bar", "sq", "sq"]
    assert_valid(job, sol(job, list(b.placements.values())))
