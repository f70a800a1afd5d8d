"""One hand-made layout per violation kind, valid layouts, and tolerance edge cases."""

import math

import numpy as np
import pytest
from helpers import (
    assert_valid,
    at,
    hide_100,
    hide_job,
    l_piece,
    rect,
    sol,
    square_piece,
    strip_job,
)
from hypothesis import given
from hypothesis import strategies as st

from leathernest.config import VALIDATION_REL_TOL
from leathernest.geometry.transform import place_ring
from leathernest.model import (
    Grain,
    Mirror,
    Outline,
    Piece,
    Rotations,
    Unplaced,
    UnplacedReason,
    Zone,
)
from leathernest.validate import ViolationKind, length_tolerance, placed_shape, validate


def kinds(job, solution):
    return sorted({v.kind for v in validate(job, solution)})


def test_valid_hide_layout_passes():
    job = hide_job([square_piece("a", demand=2)], gap_mm=2, margin_mm=3)
    assert_valid(job, sol(job, [at("a", 3, 3), at("a", 15, 3, copy=1)]))


def test_overlap_is_caught_with_its_depth():
    job = hide_job([square_piece("a", demand=2)])
    [v] = validate(job, sol(job, [at("a", 10, 10), at("a", 15, 10, copy=1)]))
    assert v.kind is ViolationKind.OVERLAP
    assert v.amount == pytest.approx(5.0, rel=1e-3)  # mm: the width of the shared 5 x 10 band
    assert set(v.pieces) == {"a#0", "a#1"}


def test_gap_is_caught_and_touching_with_zero_gap_is_fine():
    pieces = [square_piece("a", demand=2)]
    touching = [at("a", 10, 10), at("a", 20, 10, copy=1)]
    assert_valid(hide_job(pieces), sol(hide_job(pieces), touching))
    job = hide_job(pieces, gap_mm=2)
    assert kinds(job, sol(job, touching)) == [ViolationKind.GAP]
    assert kinds(job, sol(job, [at("a", 10, 10), at("a", 21.9, 10, copy=1)])) == [ViolationKind.GAP]
    assert_valid(job, sol(job, [at("a", 10, 10), at("a", 22, 10, copy=1)]))


def test_tolerance_band_of_the_gap():
    job = hide_job([square_piece("a", demand=2)], gap_mm=2)
    tol = VALIDATION_REL_TOL * 100
    assert_valid(job, sol(job, [at("a", 10, 10), at("a", 22 - 0.5 * tol, 10, copy=1)]))
    bad = sol(job, [at("a", 10, 10), at("a", 22 - 10 * tol, 10, copy=1)])
    assert kinds(job, bad) == [ViolationKind.GAP]


def test_outside_and_margin():
    job = hide_job([square_piece("a")], margin_mm=3)
    assert kinds(job, sol(job, [at("a", 95, 50)])) == [ViolationKind.OUTSIDE]
    assert kinds(job, sol(job, [at("a", 1, 50)])) == [ViolationKind.MARGIN]
    assert_valid(job, sol(job, [at("a", 3, 50)]))


def test_hide_holes_count_as_outside():
    hide = type(hide_100())("H", Outline.of(rect(100, 100), [rect(20, 20, 40, 40)]))
    job = hide_job([square_piece("a")], [hide])
    assert kinds(job, sol(job, [at("a", 45, 45)])) == [ViolationKind.OUTSIDE]


def test_defect_with_margin():
    hide = hide_100([Zone(Outline.of(rect(10, 10, 50, 50)), 0)])
    job = hide_job([square_piece("a", min_grade=1)], [hide], margin_mm=2)
    assert kinds(job, sol(job, [at("a", 55, 55)])) == [ViolationKind.DEFECT]
    assert kinds(job, sol(job, [at("a", 61, 50)])) == [ViolationKind.DEFECT]
    assert_valid(job, sol(job, [at("a", 62, 50)]))


def test_grades():
    hide = hide_100([Zone(Outline.of(rect(50, 100)), 2)])
    best = hide_job([square_piece("a")], [hide])
    assert kinds(best, sol(best, [at("a", 10, 10)])) == [ViolationKind.GRADE]
    assert_valid(best, sol(best, [at("a", 60, 10)]))
    low_ok = hide_job([square_piece("a", min_grade=2)], [hide])
    assert_valid(low_ok, sol(low_ok, [at("a", 10, 10)]))
    too_low = hide_job([square_piece("a", min_grade=3)], [hide])
    assert kinds(too_low, sol(too_low, [at("a", 45, 10)])) == [ViolationKind.GRADE]


def test_rotation_and_mirror_policies():
    job = hide_job([square_piece("a", rotations=Rotations(angles_deg=(0.0,)))])
    assert kinds(job, sol(job, [at("a", 50, 50, rot=90)])) == [ViolationKind.ROTATION]
    assert kinds(job, sol(job, [at("a", 50, 50, mirrored=True)])) == [ViolationKind.MIRROR]
    pair = hide_job([l_piece(mirror=Mirror.PAIR)])
    good = [at("L", 10, 10), at("L", 70, 10, copy=1, mirrored=True)]
    assert_valid(pair, sol(pair, good))
    wrong = [at("L", 10, 10), at("L", 50, 10, copy=1)]
    assert kinds(pair, sol(pair, wrong)) == [ViolationKind.MIRROR]


def test_grain_against_backbone():
    diag = np.array([[0.0, 0.0], [100.0, 100.0]])
    piece = square_piece("a", rotations=Rotations(free=True), grain=Grain(0.0, 10.0))
    job = hide_job([piece], [hide_100(backbone=diag)])
    assert kinds(job, sol(job, [at("a", 50, 30, rot=0)])) == [ViolationKind.GRAIN]
    assert_valid(job, sol(job, [at("a", 50, 30, rot=40)]))
    assert_valid(job, sol(job, [at("a", 50, 30, rot=45 + 180)]))
    across = square_piece("a", rotations=Rotations(free=True), grain=Grain(0.0, 5.0, across=True))
    job2 = hide_job([across], [hide_100(backbone=diag)])
    assert_valid(job2, sol(job2, [at("a", 50, 30, rot=135)]))
    assert kinds(job2, sol(job2, [at("a", 50, 30, rot=45)])) == [ViolationKind.GRAIN]


def test_pairs_and_groups_stay_on_one_hide():
    pair = l_piece(mirror=Mirror.PAIR)
    job = hide_job([pair], [hide_100(stock=2)])
    split = [at("L", 10, 10), at("L", 70, 10, copy=1, mirrored=True, hide_copy=1)]
    assert kinds(job, sol(job, split)) == [ViolationKind.GROUP]
    g = [square_piece("a", group="w"), square_piece("b", group="w")]
    job2 = hide_job(g, [hide_100(stock=2)])
    split2 = sol(job2, [at("a", 5, 5), at("b", 5, 5, hide_copy=1)])
    assert kinds(job2, split2) == [ViolationKind.GROUP]


def test_demand_unknown_missing_and_stock():
    job = hide_job([square_piece("a", demand=2)])
    assert ViolationKind.DEMAND in kinds(job, sol(job, [at("a", 5, 5, copy=2)]))
    twice = [at("a", 5, 5), at("a", 30, 5)]
    assert ViolationKind.DEMAND in kinds(job, sol(job, twice))
    assert ViolationKind.UNKNOWN in kinds(job, sol(job, [at("zz", 5, 5)]))
    assert ViolationKind.UNKNOWN in kinds(job, sol(job, [at("a", 5, 5, hide="nope")]))
    assert ViolationKind.UNKNOWN in kinds(job, sol(job, [at("a", 5, 5, hide_copy=1)]))
    assert kinds(job, sol(job, [at("a", 5, 5)])) == [ViolationKind.MISSING]
    reported = sol(job, [at("a", 5, 5)], [Unplaced("a", 1, UnplacedReason.NO_ROOM)])
    assert_valid(job, reported)


def test_nan_translation_is_a_violation_not_a_crash():
    job = hide_job([square_piece("a")])
    assert ViolationKind.UNKNOWN in kinds(job, sol(job, [at("a", float("nan"), 5)]))


def test_strip_bounds_and_length():
    job = strip_job([square_piece("a", demand=2)], height=20, margin_mm=1)
    good = sol(job, [at("a", 1, 1, hide=None), at("a", 11, 9, copy=1, hide=None)], strip_length=22)
    assert_valid(job, good)
    high = sol(job, [at("a", 1, 15, hide=None), at("a", 20, 1, copy=1, hide=None)], strip_length=40)
    assert kinds(job, high) == [ViolationKind.OUTSIDE]
    short = sol(job, [at("a", 1, 1, hide=None), at("a", 20, 1, copy=1, hide=None)],
                strip_length=30.5)
    assert kinds(job, short) == [ViolationKind.MARGIN]


@given(rot=st.floats(-720, 720), mirrored=st.booleans(),
       x=st.floats(-1e3, 1e3), y=st.floats(-1e3, 1e3))
def test_engine_transform_agrees_with_validator_transform(rot, mirrored, x, y):
    piece = l_piece()
    ours = place_ring(piece.outline.outer, rot, mirrored, x, y)
    theirs = placed_shape(piece, at("L", x, y, rot=rot, mirrored=mirrored))
    got = np.array(theirs.exterior.coords)[:-1]
    # the same vertex set, whatever the starting point
    assert np.allclose(np.sort(ours, axis=0), np.sort(got, axis=0), atol=1e-9)


def test_mirrored_piece_is_a_different_shape():
    piece = l_piece()
    a = placed_shape(piece, at("L", 0, 0))
    b = placed_shape(piece, at("L", 0, 0, mirrored=True))
    assert not a.equals(b)
    assert a.area == pytest.approx(b.area)


# --------------------------------------------------------------------------------------------------
# The tolerance is a length (1e-6 of the job's size), tested at its boundary on a full-size hide:
# 2000 x 1500 mm, gap and margin 0, a grade-0 defect at (1000..1100, 700..800). Its tolerance is
# 2 µm; a 0.01 mm overlap, 0.01 mm outside and 0.01 mm on the defect are each caught, a layout
# exactly at the tolerance passes.

BIG_DEFECT = Zone(Outline.of(rect(100, 100, 1000, 700)), 0)


def big_job(**kw):
    from leathernest.model import Hide

    hide = Hide("H", Outline.of(rect(2000, 1500)), zones=(BIG_DEFECT,))
    return hide_job([square_piece("a", demand=2, min_grade=1)], [hide], **kw)


def test_tolerance_is_one_millionth_of_the_job_size_never_of_the_solution():
    job = big_job()
    assert length_tolerance(job) == pytest.approx(0.002)
    strip = strip_job([square_piece("a", demand=2)], height=20)
    assert length_tolerance(strip) == pytest.approx(2e-5)


def _big_cases(d):
    """(layout breaking one rule by depth d, the rule) on the big hide; the other copy elsewhere.

    A corner pushed out diagonally reaches as far as its distance from the hide: d / sqrt(2) on
    each axis is a reach of d.
    """
    e = d / math.sqrt(2)
    return [
        ([at("a", 500, 500), at("a", 510 - d, 500, copy=1)], ViolationKind.OVERLAP),
        ([at("a", 500, 500), at("a", 510 - d, 500 + 10 - d, copy=1)], ViolationKind.OVERLAP),
        ([at("a", -d, 200), at("a", 50, 50, copy=1)], ViolationKind.OUTSIDE),
        ([at("a", 2000 - 10 + e, 1500 - 10 + e), at("a", 50, 50, copy=1)], ViolationKind.OUTSIDE),
        ([at("a", 1000 - 10 + d, 750), at("a", 50, 50, copy=1)], ViolationKind.DEFECT),
        ([at("a", 1050, 800 - d), at("a", 50, 50, copy=1)], ViolationKind.DEFECT),
    ]


@pytest.mark.parametrize("case", range(6))
@pytest.mark.parametrize("d", [0.01, 0.6, 1.01 * 0.002])
def test_a_hundredth_of_a_millimetre_is_caught_on_a_full_size_hide(case, d):
    job = big_job()
    layout, kind = _big_cases(d)[case]
    assert kinds(job, sol(job, layout)) == [kind]


@pytest.mark.parametrize("case", range(6))
def test_a_layout_exactly_at_the_tolerance_passes(case):
    job = big_job()
    layout, _kind = _big_cases(length_tolerance(job))[case]
    assert_valid(job, sol(job, layout))


def test_gap_and_margin_may_fall_short_by_the_tolerance_only():
    job = big_job(gap_mm=2.0, margin_mm=3.0)
    tol = length_tolerance(job)
    ok = [at("a", 3 - tol, 200), at("a", 15 - tol, 200, copy=1)]
    assert_valid(job, sol(job, ok))
    short = [at("a", 3, 200), at("a", 14.99, 200, copy=1)]
    assert kinds(job, sol(job, short)) == [ViolationKind.GAP]
    near_edge = [at("a", 2.99, 200), at("a", 50, 50, copy=1)]
    assert kinds(job, sol(job, near_edge)) == [ViolationKind.MARGIN]
    near_defect = [at("a", 1000 - 10 - 2.99, 750), at("a", 50, 50, copy=1)]
    assert kinds(job, sol(job, near_defect)) == [ViolationKind.DEFECT]


def test_a_thin_spike_reaching_into_a_neighbour_is_caught():
    spike = Piece("s", Outline.of([[0, 0], [10, 0], [10, 4.99], [10.05, 5], [10, 5.01], [10, 10],
                                   [0, 10]]), rotations=Rotations(angles_deg=(0.0,)))
    job = hide_job([spike, square_piece("a")])
    # the spike's tip reaches 0.05 mm into the square, and is only 0.01 mm wide there
    layout = [at("s", 10, 10), at("a", 20, 10)]
    [v] = validate(job, sol(job, layout))
    assert v.kind is ViolationKind.OVERLAP
    assert v.amount == pytest.approx(0.05)


def test_rotated_corner_reaching_into_a_neighbour_is_caught():
    job = hide_job([square_piece("a", rotations=Rotations(free=True)), square_piece("b")])
    # a, turned 45 deg about its local origin, has its right corner at 30 + 5 sqrt 2, 40 + 5 sqrt 2
    layout = [at("a", 30, 40, rot=45), at("b", 30 + 5 * math.sqrt(2) - 0.01, 42)]
    assert kinds(job, sol(job, layout)) == [ViolationKind.OVERLAP]


def test_strip_tolerance_ignores_the_claimed_length():
    job = strip_job([square_piece("a", demand=2)], height=20)
    coincident = [at("a", 0, 0, hide=None), at("a", 0, 0, copy=1, hide=None)]
    assert kinds(job, sol(job, coincident, strip_length=1e6)) == [ViolationKind.OVERLAP]
    side = [at("a", 0, 0, hide=None), at("a", 10.01, 0, copy=1, hide=None)]
    assert kinds(job, sol(job, side, strip_length=20)) == [ViolationKind.OUTSIDE]


@pytest.mark.parametrize("length", [None, math.nan, math.inf, -1.0])
def test_a_strip_layout_without_a_finite_length_is_a_violation(length):
    job = strip_job([square_piece("a")], height=20)
    assert ViolationKind.UNKNOWN in kinds(job, sol(job, [at("a", 0, 0, hide=None)],
                                                  strip_length=length))


def test_the_stated_polygon_must_be_the_piece_under_its_own_placement():
    job = hide_job([square_piece("a", demand=2)])
    layout = sol(job, [at("a", 10, 10), at("a", 40, 10, copy=1)])
    exact = {("a", 0): (rect(10, 10, 10, 10), []), ("a", 1): (rect(10, 10, 40, 10), [])}
    assert validate(job, layout, drawn=exact) == []
    moved = {**exact, ("a", 1): (rect(10, 10, 10, 10), [])}  # drawn onto the other piece
    [v] = validate(job, layout, drawn=moved)
    assert v.kind is ViolationKind.POLYGON
    assert v.pieces == ("a#1",)
    nudged = {**exact, ("a", 1): (rect(10, 10, 40.01, 10), [])}
    assert kinds(job, layout) == []
    assert ViolationKind.POLYGON in {x.kind for x in validate(job, layout, drawn=nudged)}
