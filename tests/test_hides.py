"""Hide nesting: each constraint changes the answer in a small case, and the CP-SAT master."""

import numpy as np
import pytest
from helpers import assert_valid, hide_job, l_piece, rect, square_piece

from leathernest.model import (
    Grain,
    Hide,
    Mirror,
    Objective,
    Outline,
    Piece,
    Rotations,
    UnplacedReason,
)
from leathernest.nest import nest
from leathernest.ordering.assign import HideSlot, Unit, placement_order, solve_assignment


def hide(w, h, hid="H", stock=1, **kw):
    return Hide(hid, Outline.of(rect(w, h)), stock=stock, **kw)


def placed_ids(s):
    return sorted(p.piece_id for p in s.placements)


def test_grain_decides_whether_a_long_piece_fits():
    long_piece = {"rotations": Rotations(free=True), "demand": 1}
    along = Piece("strap", Outline.of(rect(80, 10)), grain=Grain(0.0, 5.0), **long_piece)
    across = Piece("strap", Outline.of(rect(80, 10)), grain=Grain(0.0, 5.0, across=True),
                   **long_piece)
    backbone = np.array([[0.0, 15.0], [100.0, 15.0]])
    job_a = hide_job([along], [hide(100, 30, backbone=backbone)])
    job_b = hide_job([across], [hide(100, 30, backbone=backbone)])
    a, b = nest(job_a), nest(job_b)
    assert placed_ids(a) == ["strap"]
    assert [u.piece_id for u in b.unplaced] == ["strap"]


def test_gap_decides_whether_two_pieces_fit():
    pieces = [square_piece("a", demand=2)]
    assert len(nest(hide_job(pieces, [hide(21, 11)])).placements) == 2
    with_gap = nest(hide_job(pieces, [hide(21, 11)], gap_mm=2))
    assert len(with_gap.placements) == 1
    assert len(with_gap.unplaced) == 1


def test_margin_decides_whether_a_piece_fits():
    assert len(nest(hide_job([square_piece("a")], [hide(12, 12)])).placements) == 1
    s = nest(hide_job([square_piece("a")], [hide(12, 12)], margin_mm=2))
    assert s.unplaced
    assert s.unplaced[0].reason in (UnplacedReason.NO_ROOM, UnplacedReason.TOO_LARGE)


def test_group_must_share_one_hide():
    pieces = [square_piece("a", size=30, group="bag"), square_piece("b", size=30, group="bag")]
    free = [square_piece("a", size=30), square_piece("b", size=30)]
    hides = [hide(35, 35, "H1"), hide(35, 35, "H2")]
    assert len(nest(hide_job(free, hides)).placements) == 2
    grouped = nest(hide_job(pieces, hides))
    assert not grouped.placements
    assert {u.reason for u in grouped.unplaced} == {UnplacedReason.GROUP}


def test_pair_is_cut_once_as_drawn_and_once_mirrored_on_one_hide():
    job = hide_job([l_piece(mirror=Mirror.PAIR)], [hide(50, 25, stock=2)], gap_mm=1)
    s = nest(job)
    assert_valid(job, s)
    assert sorted(p.mirrored for p in s.placements) == [False, True]
    assert len({(p.hide_id, p.hide_copy) for p in s.placements}) == 1


def test_knapsack_names_what_does_not_fit_when_stock_is_short():
    pieces = [square_piece("big", size=40, demand=2), square_piece("small", size=10, demand=2)]
    job = hide_job(pieces, [hide(45, 60)], objective=Objective.MAX_AREA)
    s = nest(job)
    assert_valid(job, s)
    assert "big" in placed_ids(s)
    assert s.unplaced
    assert all(u.reason is not None for u in s.unplaced)


def _unit(pid, area, grade=None):
    p = Piece(pid, Outline.of(rect(1, 1)))
    return Unit(((p, 0),), area, grade, False, area)


def _slot(hid, copy, usable, cost=1.0, graded=None):
    h = Hide(hid, Outline.of(rect(10, 10)), stock=4)
    return HideSlot(h, copy, usable, tuple((graded or {}).items()), cost)


def test_master_uses_fewest_hides_and_respects_area():
    units = [_unit(f"u{i}", 40.0) for i in range(5)]
    slots = [_slot("h", k, 100.0) for k in range(4)]
    a = solve_assignment(units, slots, Objective.MIN_HIDES, {}, [], 5.0)
    assert a.status == "OPTIMAL"
    assert not a.unassigned
    assert len(a.by_slot) == 3  # 2 + 2 + 1 units of 40 in hides of 100
    assert all(sum(units[u].area for u in us) <= 100 for us in a.by_slot.values())


def test_master_keeps_graded_units_within_graded_area_and_honours_cuts():
    units = [_unit("front", 60.0, None), _unit("lining", 60.0, 1)]
    slots = [_slot("h", k, 130.0, graded={None: 70.0, 1: 130.0}) for k in range(2)]
    a = solve_assignment(units, slots, Objective.MIN_HIDES, {}, [], 5.0)
    assert len(a.by_slot) == 1
    cut = solve_assignment(units, slots, Objective.MIN_HIDES, {}, [(0, frozenset({0, 1}))], 5.0)
    assert len(cut.by_slot) == 2


def test_master_prefers_cheap_hides_for_cost():
    units = [_unit("a", 50.0)]
    slots = [_slot("dear", 0, 100.0, cost=9.0), _slot("cheap", 0, 100.0, cost=2.0)]
    a = solve_assignment(units, slots, Objective.MIN_COST, {}, [], 5.0)
    assert list(a.by_slot) == [1]


def test_placement_order_puts_demanding_and_large_first():
    units = [_unit("small", 10.0, 1), _unit("big", 90.0, 1), _unit("best", 20.0, None)]
    assert placement_order(units, [0, 1, 2]) == [2, 1, 0]


@pytest.mark.slow
def test_baldacci1_nests_validly_with_every_piece():
    from leathernest.io.instance import load_job
    from leathernest.search.stop import StopToken

    job = load_job("baldacci1")
    s = nest(job, stop=StopToken(20))
    assert not s.unplaced
    assert s.metrics["hides_used"] <= 8


def test_two_worker_processes_return_a_valid_layout():
    job = hide_job([square_piece("a", size=30, demand=5)], [hide(70, 70, stock=3)],
                   time_limit_s=3.0)
    s = nest(job, workers=2)
    assert_valid(job, s)
    assert s.config["workers"] == 2
    assert s.config["best_worker"] in (0, 1)
    assert not s.unplaced
