"""The strip problem layer on small jobs, with work budgets: valid, reproducible, monotone."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import (
    CAP_S,
    FREE_ROTATION,
    Grain,
    Mirror,
    assert_valid,
    budget,
    l_piece,
    square_piece,
    strip_job,
)

from leathernest.geometry.orient import orientation_rows
from leathernest.geometry.transform import placed_direction_deg
from leathernest.model import Outline, Piece, Rotations
from leathernest.search.optimise import Optimiser
from leathernest.search.parallel import nest_parallel, run_problem, solve
from leathernest.search.stop import StopToken, no_listener
from leathernest.search.strip import DEFAULT_STRIP_CONFIG, StripProblem

EFFORT = 40_000  # collision evaluations: a few hundred moves on these jobs


def tri_piece(pid: str, **kw) -> Piece:
    kw.setdefault("rotations", Rotations(angles_deg=(0.0, 90.0, 180.0, 270.0)))
    return Piece(pid, Outline.of([[0, 0], [12, 0], [0, 9]]), **kw)


def small_job(**kw):
    pieces = [square_piece("S", 10.0, demand=3), l_piece("L", demand=2),
              tri_piece("T", demand=4)]
    return strip_job(pieces, height=33.0, **kw)


def run(job, seed=0, workers=1, effort=EFFORT):
    return solve(job, budget(effort), no_listener, seed, workers, DEFAULT_STRIP_CONFIG)


def placements(sol):
    return [(p.piece_id, p.copy, p.rotation_deg, p.mirrored, p.x, p.y) for p in sol.placements]


def test_layout_is_valid_and_shorter_than_the_constructive_start():
    job = small_job()
    stop = budget(EFFORT)
    search = StripProblem(job, DEFAULT_STRIP_CONFIG, 0, stop)
    search.start()
    start_length = search.best_length
    Optimiser(search).explore(stop)
    sol = search.solution(0, 0.0)
    assert_valid(job, sol)
    assert sol.engine == "strip"
    assert len(sol.placements) == 9
    assert sol.strip_length < start_length


def test_gap_and_margin_are_kept():
    job = small_job(gap_mm=1.5, margin_mm=2.0)
    assert_valid(job, run(job))


def test_margin_below_half_the_gap_is_kept():
    job = small_job(gap_mm=3.0, margin_mm=0.5)
    assert_valid(job, run(job))


def test_same_seed_and_effort_give_the_same_layout_and_the_work_is_counted():
    job = small_job()
    a, b = run(job, seed=3), run(job, seed=3)
    assert placements(a) == placements(b)
    assert a.config["work"]["evaluations"] >= EFFORT  # stopped on work, not on the clock
    assert placements(run(job, seed=4)) != placements(a)


def test_best_length_only_decreases():
    stop = budget(60_000)
    search = StripProblem(small_job(), DEFAULT_STRIP_CONFIG, 1, stop)
    Optimiser(search).run()
    h = [length for _t, length in search.history]
    assert len(h) >= 2
    assert all(b < a for a, b in itertools.pairwise(h))
    assert search.best_length == h[-1]


def test_free_rotation_mirrored_pairs_and_grain_are_honoured():
    pieces = [
        l_piece("free", rotations=FREE_ROTATION, demand=2),
        l_piece("pair", mirror=Mirror.PAIR, demand=1),
        l_piece("either", mirror=Mirror.ALLOWED, demand=2),
        Piece("grain", Outline.of([[0, 0], [16, 0], [16, 6], [0, 6]]), rotations=FREE_ROTATION,
              grain=Grain(direction_deg=30.0, tolerance_deg=5.0), demand=2),
    ]
    job = strip_job(pieces, height=40.0)
    sol = run(job)
    assert_valid(job, sol)
    # free rotation is explored, not 90-degree steps (both pieces turn freely; the first layout
    # may stand them square, the search turns some)
    free = [p.rotation_deg for p in sol.placements if p.piece_id in ("free", "either")]
    assert any(min(r % 90.0, 90.0 - r % 90.0) > 1e-3 for r in free)
    grain = [p for p in sol.placements if p.piece_id == "grain"]
    assert len(grain) == 2


def test_grain_rows_point_the_grain_along_the_strip():
    piece = Piece("g", Outline.of([[0, 0], [10, 0], [10, 4]]), rotations=FREE_ROTATION,
                  grain=Grain(direction_deg=30.0, tolerance_deg=5.0))
    rows = orientation_rows(piece, (False, True), 0.0)
    assert len(rows) == 4  # two ranges (either way along the axis) per mirror state
    for lo, hi, mir, *_ in rows:
        assert hi - lo == pytest.approx(10.0, abs=1e-3)  # the whole tolerance is explored
        for a in (lo, 0.5 * (lo + hi), hi):
            d = placed_direction_deg(30.0, a, bool(mir)) % 180.0
            assert min(d, 180.0 - d) <= 5.0 + 1e-9


def test_finite_rotations_are_filtered_by_grain():
    piece = square_piece("g", grain=Grain(direction_deg=0.0, tolerance_deg=1.0, across=True))
    rows = orientation_rows(piece, (False,), 0.0)
    assert sorted(rows[:, 0].tolist()) == [90.0, 270.0]


def test_piece_taller_than_the_strip_is_reported_unplaced():
    job = strip_job([square_piece("big", 40.0), square_piece("s", 5.0, demand=2)], height=20.0)
    sol = run(job)
    assert_valid(job, sol)
    assert [(u.piece_id, u.reason.value) for u in sol.unplaced] == [("big", "too_large")]


def test_interrupt_stops_the_search_at_the_next_check():
    stop = StopToken(CAP_S)
    search = StripProblem(small_job(), DEFAULT_STRIP_CONFIG, 0, stop, lambda _p: stop.interrupt())
    sol = run_problem(search, 0)
    assert sol.config["work"]["iterations"] == 0
    assert_valid(search.job, sol)


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_two_cooperating_workers_repeat_exactly_on_a_work_budget(method):
    job = small_job()
    a = nest_parallel(job, budget(EFFORT), lambda _p: None, 5, 2, DEFAULT_STRIP_CONFIG,
                      start_method=method)
    b = nest_parallel(job, budget(EFFORT), lambda _p: None, 5, 2, DEFAULT_STRIP_CONFIG,
                      start_method=method)
    assert_valid(job, a)
    assert placements(a) == placements(b)
    assert a.config["workers"] == 2
    assert all(w >= EFFORT for w in a.config["work_per_worker"])


def test_simplified_many_vertex_pieces_still_give_valid_layouts():
    t = np.linspace(0.0, 2.0 * np.pi, 240, endpoint=False)
    r = 8.0 + 0.6 * np.sin(9 * t)
    wiggly = Piece("w", Outline.of(np.column_stack([r * np.cos(t), r * np.sin(t)])),
                   rotations=FREE_ROTATION, demand=5)
    job = strip_job([wiggly, square_piece("s", 6.0, demand=4)], height=30.0)
    sol = run(job)
    assert_valid(job, sol)
    assert len(sol.placements) == 9


@pytest.mark.parametrize(("gap", "least"), [(0.0, 0.9), (1.0, 0.45)])
def test_many_like_pieces_end_in_tight_columns_when_the_fill_runs_out_of_budget(gap, least):
    # 2,000 rectangles of 3 x 2 on a 100 mm strip: the sampled fill gets half the work, the rest
    # go in columns right of it (a shelf); with a 1 mm gap the best possible is 6 / (4 x 3) = 0.5
    job = strip_job([Piece("r", Outline.of([[0, 0], [3, 0], [3, 2], [0, 2]]), demand=2000,
                           rotations=Rotations(angles_deg=(0.0, 90.0)))], height=100.0,
                    gap_mm=gap)
    from leathernest.nest import nest

    sol = nest(job, stop=budget(60_000))
    assert len(sol.placements) == 2000
    assert sol.metrics["density"] >= least


def test_a_parallel_run_reports_the_seed_that_reproduces_it():
    # worker i searches with seed + i; the solution names the run's seed (and the best worker),
    # so that --seed with the same workers and effort repeats it
    job = small_job()
    a = nest_parallel(job, budget(EFFORT), lambda _p: None, 5, 2, DEFAULT_STRIP_CONFIG)
    assert a.seed == 5
    assert a.config["best_worker"] in (0, 1)
