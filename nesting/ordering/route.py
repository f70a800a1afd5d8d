"""Cutting order: the order in which the head visits pieces, by OR-Tools routing (an open TSP).

The head starts at a fixed corner and visits every piece's start point once; it does not have to
come back, so every arc back to the start costs 0 (the usual way to turn a tour into an open path).
As in ``ortools/constraint_solver/samples/tsp_circuit_board.py`` the integer distance matrix is
precomputed with numpy and the transit callback only looks it up; the first-solution strategy and
the time limit are set explicitly (house style, section 6). ``solution_limit`` gives a
machine-independent budget for tests.

ortools is imported inside :func:`order_points` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Routing needs integer arc costs: distances are rounded to 1/100 mm, far below a cutter's
# positioning accuracy, and a 3 m hide's diagonal (3e5 units) leaves int64 plenty of room.
MM_TO_ROUTE_UNITS = 100
# Above this many stops the guided local search rarely pays for its time on a cutting table; the
# first solution (cheapest arc) is kept.
LOCAL_SEARCH_MAX_STOPS = 2000


@dataclass(frozen=True, slots=True)
class Route:
    """Visiting order of the points, and travel lengths in mm (from the start, not returning)."""

    order: tuple[int, ...]
    length_mm: float
    unoptimised_length_mm: float


def path_length(points: np.ndarray, order: list[int] | tuple[int, ...], start: np.ndarray) -> float:
    """Travel from ``start`` through ``points`` in ``order``, mm."""
    if len(order) == 0:
        return 0.0
    seq = np.vstack([start[None, :], points[list(order)]])
    return float(np.sum(np.hypot(*np.diff(seq, axis=0).T)))


def order_points(
    points: np.ndarray,
    start: tuple[float, float],
    *,
    time_limit_s: float = 1.0,
    solution_limit: int | None = None,
    local_search: bool = True,
) -> Route:
    """Order ``points`` (float64 (n, 2), mm) to shorten the head's idle travel from ``start``.

    Returns the input order when the solver finds nothing better, so the result is never worse than
    the unoptimised order.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    origin = np.asarray(start, dtype=np.float64)
    n = len(pts)
    identity = tuple(range(n))
    base = path_length(pts, identity, origin)
    if n <= 2:
        best = min((identity, identity[::-1]), key=lambda o: path_length(pts, o, origin))
        return Route(best, path_length(pts, best, origin), base)

    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    nodes = np.vstack([origin[None, :], pts])
    diff = nodes[:, None, :] - nodes[None, :, :]
    matrix = np.rint(np.hypot(diff[..., 0], diff[..., 1]) * MM_TO_ROUTE_UNITS).astype(np.int64)
    matrix[:, 0] = 0  # open path: returning to the start corner is free
    table = matrix.tolist()

    manager = pywrapcp.RoutingIndexManager(n + 1, 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    def transit(i: int, j: int) -> int:
        return table[manager.IndexToNode(i)][manager.IndexToNode(j)]

    cb = routing.RegisterTransitCallback(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    if local_search and n <= LOCAL_SEARCH_MAX_STOPS:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return Route(identity, base, base)
    order: list[int] = []
    index = routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node:
            order.append(node - 1)
        index = solution.Value(routing.NextVar(index))
    length = path_length(pts, order, origin)
    if length > base:
        return Route(identity, base, base)
    return Route(tuple(order), length, base)
