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


def test_containment_finds_the_smallest_window_holding_each_piece():
    from shapely.geometry import Polygon, box

    from leathernest.ordering.route import Contour, PieceContours, containment, plan_cuts

    def piece(x0, y0, x1, y1, windows=()):
        ring = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
        holes = tuple(Contour(np.array(w.exterior.coords)[:-1]) for w in windows)
        return PieceContours(Contour(ring), box(x0, y0, x1, y1), holes, tuple(windows))

    frame = piece(0, 0, 100, 100, [box(10, 10, 90, 90)])
    inner = piece(20, 20, 80, 80, [box(30, 30, 70, 70)])
    core = piece(40, 40, 60, 60)
    apart = piece(200, 0, 220, 20)
    pieces = [core, frame, apart, inner]
    assert containment(pieces) == {0: (3, 0), 3: (1, 0)}
    plan = plan_cuts(pieces, (0.0, 0.0), time_limit_s=0.0)
    seq = [(s.piece, s.kind) for s in plan.steps]
    assert seq.index((0, "outer")) < seq.index((3, "hole")) < seq.index((3, "outer"))
    assert seq.index((3, "outer")) < seq.index((1, "hole")) < seq.index((1, "outer"))
    assert sorted(plan.order) == [0, 1, 2, 3]
    assert isinstance(frame.region, Polygon)
