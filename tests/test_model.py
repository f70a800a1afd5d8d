import numpy as np
import pytest
from helpers import rect

from leathernest.errors import InputError
from leathernest.model import (
    FREE_ROTATION,
    Grain,
    Job,
    Mirror,
    Outline,
    Piece,
    Rotations,
    Strip,
    zone_blocks,
)


def test_outline_orients_outer_ccw_and_holes_cw():
    o = Outline.of(rect(10, 10)[::-1], [rect(2, 2, 1, 1)])
    assert o.area == pytest.approx(100 - 4)
    assert o.bbox == (0, 0, 10, 10)


def test_outline_drops_closing_and_repeated_points():
    o = Outline.of([[0, 0], [1, 0], [1, 0], [1, 1], [0, 0]])
    assert len(o.outer) == 3
    assert not o.outer.flags.writeable


@pytest.mark.parametrize("pts", [[[0, 0], [1, 1]], [[0, 0], [1, 1], [2, 2]],
                                 [[0, 0], [float("nan"), 1], [1, 0]]])
def test_degenerate_rings_are_input_errors(pts):
    with pytest.raises(InputError):
        Outline.of(pts)


@pytest.mark.parametrize(("zone", "need", "blocks"), [
    (0, None, True), (0, 1, True), (0, 5, True),
    (1, None, True), (3, None, True),
    (1, 2, True), (2, 2, False), (3, 2, False),
])
def test_zone_blocks_truth_table(zone, need, blocks):
    assert zone_blocks(zone, need) is blocks


def test_rotations_sets_ranges_and_free():
    r = Rotations(angles_deg=(0.0, 180.0))
    assert r.allows(180.0)
    assert r.allows(-180.0)
    assert r.allows(540.0)
    assert not r.allows(90.0)
    rr = Rotations(ranges_deg=((-10.0, 10.0),))
    assert rr.allows(355.0)
    assert rr.allows(10.0)
    assert not rr.allows(11.0)
    assert FREE_ROTATION.allows(123.4)
    with pytest.raises(InputError):
        Rotations()


def test_pairs_double_copies_and_fix_mirroring():
    p = Piece("a", Outline.of(rect(1, 1)), demand=2, mirror=Mirror.PAIR)
    assert p.n_copies == 4
    assert [p.mirrored_copy(c) for c in range(4)] == [False, True, False, True]
    assert Piece("b", Outline.of(rect(1, 1)), mirror=Mirror.ALLOWED).mirrored_copy(0) is None


def test_piece_and_job_reject_bad_values():
    o = Outline.of(rect(1, 1))
    with pytest.raises(InputError):
        Piece("a", o, demand=-1)
    with pytest.raises(InputError):
        Piece("a", o, min_grade=0)
    with pytest.raises(InputError):
        Grain(tolerance_deg=120)
    with pytest.raises(InputError):
        Job("j", (Piece("a", o), Piece("a", o)), Strip(10))
    with pytest.raises(InputError):
        Job("j", (Piece("a", o),), Strip(10), gap_mm=-1)
    with pytest.raises(InputError):
        Strip(0)


def test_job_defaults_objective_by_stock():
    o = Outline.of(rect(1, 1))
    assert Job("j", (Piece("a", o),), Strip(10)).objective.value == "min_length"
    assert np.isclose(Job("j", (Piece("a", o, demand=3),), Strip(10)).demanded_area, 3.0)
