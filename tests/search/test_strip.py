"""The strip optimiser on small jobs, with iteration budgets: valid, reproducible, monotone."""

from __future__ import annotations

import dataclasses
import itertools
import time

import numpy as np
import pytest
from helpers import FREE_ROTATION, Grain, Mirror, assert_valid, l_piece, square_piece, strip_job

from leathernest.model import Outline, Piece, Rotations
from leathernest.search.parallel import nest_parallel
from leathernest.search.state import orientation_rows
from leathernest.search.stop import StopToken
from leathernest.search.strip import StripConfig, StripSearch, nest_strip
from leathernest.geometry.transform import placed_direction_deg

BUDGET = StripConfig(max_iterations=40)


def tri_piece(pid: str, **kw) -> Piece:
    kw.setdefault("rotations", Rotations(angles_deg=(0.0, 90.0, 180.0, 270.0)))
    return Piece(pid, Outline.of([[0, 0], [12, 0], [0, 9]]), **kw)


def small_job(**kw):
    pieces = [square_piece("S", 10.0, demand=3), l_piece("L", demand=2),
              tri_piece("T", demand=4)]
    return strip_job(pieces, height=33.0, **kw)


def run(job, seed=0, cfg=BUDGET, workers=1):
    return nest_strip(job, StopToken(120.0), seed=seed, workers=workers, cfg=cfg)


def placements(sol):
    return [(p.piece_id, p.copy, p.rotation_deg, p.mirrored, p.x, p.y) for p in sol.placements]


def test_layout_is_valid_and_shorter_than_the_constructive_start():
    job = small_job()
    search = StripSearch(job, BUDGET, 0, StopToken(120.0))
    search.start()
    start_length = search.best_length
    search.explore(StopToken(120.0))
    sol = search.solution(0, 0.0)
    assert_valid(job, sol)
    assert sol.engine == "strip"
    assert len(sol.placements) == 9
    assert sol.strip_length < start_length


def test_gap_and_margin_are_kept():
    job = small_job(gap_mm=1.5, margin_mm=2.0)
    sol = run(job)
    assert_valid(job, sol)


def test_margin_below_half_the_gap_is_kept():
    job = small_job(gap_mm=3.0, margin_mm=0.5)
    assert_valid(job, run(job))


def test_same_seed_gives_the_same_layout():
    job = small_job()
    assert placements(run(job, seed=3)) == placements(run(job, seed=3))


def test_best_length_only_decreases():
    search = StripSearch(small_job(), StripConfig(max_iterations=60), 1, StopToken(120.0))
    search.run()
    h = search.history
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
    sol = run(job, cfg=StripConfig(max_iterations=30))
    assert_valid(job, sol)
    pair = sorted((p.copy, p.mirrored) for p in sol.placements if p.piece_id == "pair")
    assert pair == [(0, False), (1, True)]
    free = [p.rotation_deg for p in sol.placements if p.piece_id == "free"]
    assert any(r % 90.0 > 1e-6 for r in free) or len(free) == 2


def test_grain_rows_point_the_grain_along_the_strip():
    piece = Piece("g", Outline.of([[0, 0], [10, 0], [10, 4]]), rotations=FREE_ROTATION,
                  grain=Grain(direction_deg=30.0, tolerance_deg=5.0))
    rows = orientation_rows(piece, (False, True))
    assert len(rows) == 4  # two ranges (either way along the axis) per mirror state
    for lo, hi, mir in rows:
        for a in (lo, 0.5 * (lo + hi), hi):
            d = placed_direction_deg(30.0, a, bool(mir)) % 180.0
            assert min(d, 180.0 - d) <= 5.0 + 1e-9


def test_finite_rotations_are_filtered_by_grain():
    piece = square_piece("g", grain=Grain(direction_deg=0.0, tolerance_deg=1.0, across=True))
    rows = orientation_rows(piece, (False,))
    assert sorted(rows[:, 0].tolist()) == [90.0, 270.0]


def test_piece_taller_than_the_strip_is_reported_unplaced():
    job = strip_job([square_piece("big", 40.0), square_piece("s", 5.0, demand=2)], height=20.0)
    sol = run(job)
    assert_valid(job, sol)
    assert [(u.piece_id, u.reason.value) for u in sol.unplaced] == [("big", "too_large")]


def test_interrupt_stops_the_search_at_the_next_check():
    stop = StopToken(120.0)
    search = StripSearch(small_job(), StripConfig(), 0, stop, lambda _p: stop.interrupt())
    search.run()
    assert search.budget.iterations == 0
    assert_valid(search.job, search.solution(0, 0.0))


def test_two_worker_processes_return_a_valid_layout_reproducibly():
    job = small_job()
    cfg = StripConfig(max_iterations=20)
    a, b = run(job, seed=5, cfg=cfg, workers=2), run(job, seed=5, cfg=cfg, workers=2)
    assert_valid(job, a)
    assert placements(a) == placements(b)
    assert a.config["workers"] == 2


def test_thread_workers_return_a_valid_layout():
    job = small_job()
    sol = nest_parallel(job, StopToken(120.0), lambda _p: None, 2, 2,
                        StripConfig(max_iterations=10), mode="thread")
    assert_valid(job, sol)
    assert sol.config["parallel"] == "thread"


@pytest.mark.slow
def test_time_limit_is_kept_within_a_second():
    # The issue asks for this bound explicitly; it is generous (1 s over a 1.5 s limit).
    job = dataclasses.replace(small_job(), time_limit_s=1.5)
    t0 = time.monotonic()
    sol = nest_strip(job, seed=0)
    assert time.monotonic() - t0 < 1.5 + 1.0
    assert_valid(job, sol)
    assert np.isfinite(sol.strip_length)
