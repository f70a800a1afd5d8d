"""The baseline nester: always valid, honours every constraint, reports what it cannot place."""

import numpy as np
from helpers import (
    CAP_S,
    assert_valid,
    budget,
    hide_100,
    hide_job,
    l_piece,
    rect,
    square_piece,
    strip_job,
)

from leathernest.model import Grain, Mirror, Outline, Rotations, UnplacedReason, Zone
from leathernest.nest import nest
from leathernest.search.baseline import nest_baseline
from leathernest.search.stop import StopToken

EFFORT = 20_000  # collision evaluations for the searches of the engine here


def fill(job):
    """The baseline's layout: a constructive fill that ends by itself; the clock only caps it."""
    return nest_baseline(job, stop=StopToken(CAP_S))


def test_strip_packs_squares_tightly_and_validly():
    job = strip_job([square_piece("a", demand=10)], height=20.01, gap_mm=0)
    s = fill(job)
    assert_valid(job, s)
    assert not s.unplaced
    assert s.strip_length <= 50.01  # two rows of five 10 x 10 squares


def test_gap_and_margin_are_kept_on_strip():
    job = strip_job([square_piece("a", demand=6)], height=30, gap_mm=2, margin_mm=1)
    s = fill(job)
    assert_valid(job, s)
    assert not s.unplaced


def test_hide_grade_zone_pushes_best_pieces_away():
    hide = hide_100([Zone(Outline.of(rect(50, 100)), 1)])
    job = hide_job([square_piece("front", size=20, demand=4),
                    square_piece("lining", size=20, demand=4, min_grade=1)], [hide])
    s = fill(job)
    assert_valid(job, s)
    fronts = [p for p in s.placements if p.piece_id == "front"]
    assert len(fronts) == 4
    assert all(p.x >= 50 for p in fronts)


def test_pairs_are_cut_as_drawn_and_mirrored_on_one_hide():
    job = hide_job([l_piece(mirror=Mirror.PAIR, demand=2)], [hide_100(stock=3)], gap_mm=1)
    s = fill(job)
    assert_valid(job, s)
    assert sorted(p.mirrored for p in s.placements) == [False, False, True, True]


def test_grain_follows_a_diagonal_backbone():
    diag = np.array([[0.0, 0.0], [100.0, 100.0]])
    piece = square_piece("a", rotations=Rotations(free=True), grain=Grain(0.0, 5.0), demand=2)
    job = hide_job([piece], [hide_100(backbone=diag)])
    s = fill(job)
    assert_valid(job, s)
    # along the diagonal, anywhere within the 5 degree tolerance
    assert all(abs((p.rotation_deg - 45.0 + 90.0) % 180.0 - 90.0) <= 5.0 for p in s.placements)


def test_unplaceable_pieces_are_named_with_a_reason():
    job = hide_job([square_piece("big", size=150), square_piece("small")])
    s = nest(job, stop=budget(EFFORT))
    assert [(u.piece_id, u.reason) for u in s.unplaced] == [("big", UnplacedReason.TOO_LARGE)]
    assert [p.piece_id for p in s.placements] == ["small"]


def test_many_hides_are_opened_when_needed():
    job = hide_job([square_piece("a", size=60, demand=3)], [hide_100(stock=5)])
    s = nest(job, stop=budget(EFFORT))
    assert s.metrics["hides_used"] == 3
    assert 0 < s.metrics["utilisation"] <= 1


def test_same_seed_same_layout():
    job = strip_job([l_piece(demand=5)], height=45)
    a, b = fill(job), fill(job)
    assert [(p.x, p.y, p.rotation_deg) for p in a.placements] == [
        (p.x, p.y, p.rotation_deg) for p in b.placements]


def test_baseline_on_a_bundled_strip_instance():
    from leathernest.io.instance import load_job

    job = load_job("jakobs1")
    s = nest(job, engine="baseline", stop=StopToken(CAP_S))
    assert not s.unplaced
    assert 0.5 < s.metrics["density"] <= 1.0


class StopsAt(StopToken):
    """A stop token whose ``n``-th check says stop: what a time limit does, without the clock."""

    def __init__(self, n: int) -> None:
        super().__init__(CAP_S)
        self.checks, self.n = 0, n

    def stopped(self) -> bool:
        self.checks += 1
        return self.checks >= self.n or super().stopped()


def test_a_stop_inside_a_unit_ends_the_fill_and_names_the_time_limit():
    from leathernest.io.instance import load_job

    # Check 1 comes before the first unit, check 2 inside it (before its first orientation): a
    # fill that looked only between units would place that unit (it takes about 20 s to fill
    # this job unlimited); this one places nothing and says the limit left every piece out.
    job = load_job("tiny")
    s = nest_baseline(job, stop=StopsAt(2))
    assert s.placements == ()
    assert len(s.unplaced) == sum(p.n_copies for p in job.pieces)
    assert {u.reason for u in s.unplaced} == {UnplacedReason.TIME_LIMIT}
