"""One step of the strip search: a piece move (search_position) and a separator iteration.

Run:  .venv/bin/pytest benchmarks/bench_search.py --benchmark-enable

The state is shirts (99 pieces) after the constructive start, with the strip shortened by 2 %
so that pieces overlap, exactly as the exploration phase sees it. ``search.move`` times one
:func:`leathernest.search.kernels.search_position` call plus the bookkeeping of the move;
``search.iteration`` one separator iteration (every colliding piece moved once, weights updated).
The work counter (moves per iteration) goes into extra_info.
"""

from __future__ import annotations

import numpy as np
import pytest

from leathernest.collision import warmup
from leathernest.io.instance import load_job
from leathernest.search.separate import Budget
from leathernest.search.stop import StopToken
from leathernest.search.strip import DEFAULT_STRIP_CONFIG, StripSearch


@pytest.fixture(scope="module")
def shirts_search() -> StripSearch:
    warmup()
    s = StripSearch(load_job("shirts"), DEFAULT_STRIP_CONFIG, 0, StopToken(3600.0))
    s.start()
    s.set_length(s.state.length * 0.98, 0.5 * s.state.length)
    return s


@pytest.mark.benchmark(group="search.move")
def test_move_one_piece(benchmark, shirts_search: StripSearch) -> None:
    s = shirts_search
    sep = s.separator(s.cfg.explore)
    snap, tsnap = s.state.save(), s.tracker.save()
    k = int(s.tracker.colliding()[0])

    def move() -> None:
        s.state.restore(snap)
        s.tracker.restore(tsnap)
        sep.move(k)

    benchmark.pedantic(move, rounds=200, warmup_rounds=5)


@pytest.mark.benchmark(group="search.iteration")
def test_separator_iteration(benchmark, shirts_search: StripSearch) -> None:
    s = shirts_search
    sep = s.separator(s.cfg.explore)
    snap, tsnap = s.state.save(), s.tracker.save()
    budget = Budget()

    def iteration() -> None:
        s.state.restore(snap)
        s.tracker.restore(tsnap)
        sep.move_colliding(budget)
        s.tracker.update_weights()

    benchmark.pedantic(iteration, rounds=30, warmup_rounds=2)
    benchmark.extra_info["moves_per_iteration"] = budget.moves / 32  # 30 rounds + 2 warm-up
    assert np.isfinite(s.tracker.total())
