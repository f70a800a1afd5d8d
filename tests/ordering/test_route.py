"""Cutting order by OR-Tools routing: an open path from a fixed corner."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from leathernest.ordering.route import order_points, path_length


def brute_force(points, start):
    best = min(
        itertools.permutations(range(len(points))), key=lambda o: path_length(points, o, start)
    )
    return path_length(points, best, start)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_route_matches_brute_force_on_small_instances(seed):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 1000, size=(7, 2))
    route = order_points(pts, (0.0, 0.0), time_limit_s=5, solution_limit=2000)
    assert sorted(route.order) == list(range(7))
    assert route.length_mm == pytest.approx(path_length(pts, route.order, np.zeros(2)))
    assert route.length_mm <= brute_force(pts, np.zeros(2)) * 1.0001


def test_route_is_never_worse_than_the_given_order_and_reports_both():
    rng = np.random.default_rng(5)
    pts = rng.uniform(0, 2000, size=(40, 2))
    route = order_points(pts, (0.0, 0.0), time_limit_s=5, solution_limit=500)
    assert route.unoptimised_length_mm == pytest.approx(path_length(pts, range(40), np.zeros(2)))
    assert route.length_mm < 0.6 * route.unoptimised_length_mm


def test_route_starts_at_the_corner_and_handles_trivial_sizes():
    assert order_points(np.zeros((0, 2)), (0, 0)).order == ()
    assert order_points(np.array([[5.0, 5.0]]), (0, 0)).order == (0,)
    two = order_points(np.array([[100.0, 0.0], [1.0, 0.0]]), (0, 0))
    assert two.order == (1, 0)
    assert two.length_mm == pytest.approx(100.0)
    line = np.array([[float(x), 0.0] for x in (50, 10, 40, 20, 30)])
    route = order_points(line, (0, 0), solution_limit=200)
    assert [line[i, 0] for i in route.order] == [10, 20, 30, 40, 50]


def test_asymmetric_stops_match_brute_force():
    from leathernest.ordering.route import order_stops, route_length

    rng = np.random.default_rng(3)
    ins = rng.uniform(0, 1000, size=(6, 2))
    outs = rng.uniform(0, 1000, size=(6, 2))
    start = np.zeros(2)
    route = order_stops(ins, outs, (0.0, 0.0), time_limit_s=5, solution_limit=2000)
    best = min(route_length(ins, outs, o, start) for o in itertools.permutations(range(6)))
    assert route.method in ("or-tools", "nearest", "given")
    assert route.length_mm <= best * 1.0001
    assert route.length_mm == pytest.approx(route_length(ins, outs, route.order, start))


def test_without_a_time_budget_the_nearest_neighbour_order_is_kept():
    from leathernest.ordering.route import order_stops

    line = np.array([[float(x), 0.0] for x in (50, 10, 40, 20, 30)])
    route = order_stops(line, None, (0.0, 0.0), time_limit_s=0.0)
    assert route.method == "nearest"
    assert [line[i, 0] for i in route.order] == [10, 20, 30, 40, 50]
