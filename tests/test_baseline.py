"""The baseline nester: always valid, honours every constraint, reports what it cannot place."""

import numpy as np
from helpers import assert_valid, hide_100, hide_job, l_piece, rect, square_piece, strip_job

from leathernest.model import Grain, Mirror, Outline, Rotations, UnplacedReason, Zone
from leathernest.nest import nest
from leathernest.search.baseline import nest_baseline


def test_strip_packs_squares_tightly_and_validly():
    job = strip_job([square_piece("a", demand=10)], height=20.01, gap_mm=0)
    s = nest_baseline(job)
    assert_valid(job, s)
    assert not s.unplaced
    assert s.strip_length <= 50.01  # two rows of five 10 x 10 squares


def test_gap_and_margin_are_kept_on_strip():
    job = strip_job([square_piece("a", demand=6)], height=30, gap_mm=2, margin_mm=1)
    s = nest_baseline(job)
    assert_valid(job, s)
    assert not s.unplaced


def test_hide_grade_zone_pushes_best_pieces_away():
    hide = hide_100([Zone(Outline.of(rect(50, 100)), 1)])
    job = hide_job([square_piece("front", size=20, demand=4),
                    square_piece("lining", size=20, demand=4, min_grade=1)], [hide])
    s = nest_baseline(job)
    assert_valid(job, s)
    fronts = [p for p in s.placements if p.piece_id == "front"]
    assert len(fronts) == 4
    assert all(p.x >= 50 for p in fronts)


def test_pairs_are_cut_as_drawn_and_mirrored_on_one_hide():
    job = hide_job([l_piece(mirror=Mirror.PAIR, demand=2)], [hide_100(stock=3)], gap_mm=1)
    s = nest_baseline(job)
    assert_valid(job, s)
    assert sorted(p.mirrored for p in s.placements) == [False, False, True, True]


def test_grain_follows_a_diagonal_backbone():
    diag = np.array([[0.0, 0.0], [100.0, 100.0]])
    piece = square_piece("a", rotations=Rotations(free=True), grain=Grain(0.0, 5.0), demand=2)
    job = hide_job([piece], [hide_100(backbone=diag)])
    s = nest_baseline(job)
    assert_valid(job, s)
    # along the diagonal, anywhere within the 5 degree tolerance
    assert all(abs((p.rotation_deg - 45.0 + 90.0) % 180.0 - 90.0) <= 5.0 for p in s.placements)


def test_unplaceable_pieces_are_named_with_a_reason():
    job = hide_job([square_piece("big", size=150), square_piece("small")])
    s = nest(job)
    assert [(u.piece_id, u.reason) for u in s.unplaced] == [("big", UnplacedReason.TOO_LARGE)]
    assert [p.piece_id for p in s.placements] == ["small"]


def test_many_hides_are_opened_when_needed():
    job = hide_job([square_piece("a", size=60, demand=3)], [hide_100(stock=5)])
    s = nest(job)
    assert s.metrics["hides_used"] == 3
    assert 0 < s.metrics["utilisation"] <= 1


def test_same_seed_same_layout():
    job = strip_job([l_piece(demand=5)], height=45)
    a, b = nest_baseline(job), nest_baseline(job)
    assert [(p.x, p.y, p.rotation_deg) for p in a.placements] == [
        (p.x, p.y, p.rotation_deg) for p in b.placements]


def test_baseline_on_a_bundled_strip_instance():
    from leathernest.io.instance import load_job

    job = load_job("jakobs1")
    s = nest(job, engine="baseline")
    assert not s.unplaced
    assert 0.5 < s.metrics["density"] <= 1.0
