"""Routing: the order in which the cutting head visits stops, by OR-Tools (an open TSP).

A stop is entered at one point and left at another (for a block of cuts, its first cut and the
end of its outer contour), so the distance matrix is asymmetric; the head starts at the table's
corner and need not come back, so every arc back to the start costs 0. As in
``ortools/constraint_solver/samples/tsp_circuit_board.py`` the integer matrix is precomputed with
numpy; it is registered with ``RegisterTransitMatrix``, so OR-Tools never calls back into Python
per arc. The first-solution strategy and the time limit are set explicitly (house style, section
6); the time limit covers building the model too. A nearest-neighbour order is the first
candidate and the fallback; the result is never longer than the given order. The order rule that
builds the stops is :mod:`leathernest.ordering.cut_order`.

ortools is imported inside :func:`order_stops` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Routing needs integer arc costs: distances are rounded to 1/100 mm, far below a cutter's
# positioning accuracy, and a 3 m hide's diagonal (3e5 units) leaves int64 plenty of room.
MM_TO_ROUTE_UNITS = 100
# Building the OR-Tools model takes time before its search starts, which its time limit does not
# cover: measured on the project machine (2 shared cores) 0.04 s at 100 stops, 0.06 s at 500 and
# 0.31 s at 1000, about BASE + PER_ARC x (n + 1)². It is taken off the budget first.
ROUTING_BASE_S = 0.03
ROUTING_PER_ARC_S = 3e-7
# Above this many stops OR-Tools is not called (its model alone would take 0.14 s, most of a
# hide's budget); the nearest-neighbour order is kept. A hide rarely carries more than a few
# hundred pieces.
ROUTING_MAX_STOPS = 600
# Above this many stops even the O(n²) nearest-neighbour order (0.2 s at 2000 stops) is skipped
# for a sweep in bands, which is as short on large uniform layouts.
GREEDY_MAX_STOPS = 2000
# Below this much search time left after building the model, OR-Tools is not started.
MIN_ROUTING_S = 0.005


@dataclass(frozen=True, slots=True)
class Route:
    """Visiting order of the stops, travel in mm (from the start, not returning), and how found.

    ``method`` is ``or-tools``, ``nearest`` (nearest neighbour), ``sweep`` or ``given``.
    """

    order: tuple[int, ...]
    length_mm: float
    unoptimised_length_mm: float
    method: str = "given"


def route_length(entries: np.ndarray, exits: np.ndarray, order, start: np.ndarray) -> float:
    """Travel from ``start`` into each stop's entry, leaving from its exit, in ``order`` (mm)."""
    order = list(order)
    if not order:
        return 0.0
    ins = entries[order]
    outs = np.vstack([start[None, :], exits[order][:-1]])
    return float(np.sum(np.hypot(*(ins - outs).T)))


def path_length(points: np.ndarray, order, start: np.ndarray) -> float:
    """Travel from ``start`` through ``points`` in ``order``, mm."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return route_length(pts, pts, order, np.asarray(start, dtype=np.float64))


def _distances(entries: np.ndarray, exits: np.ndarray, start: np.ndarray) -> np.ndarray:
    """(n+1, n+1) travel matrix, node 0 the start: d[i, j] from leaving i to entering j."""
    outs = np.vstack([start[None, :], exits])
    ins = np.vstack([start[None, :], entries])
    d = np.hypot(outs[:, None, 0] - ins[None, :, 0], outs[:, None, 1] - ins[None, :, 1])
    d[:, 0] = 0.0  # open path: returning to the start is free
    np.fill_diagonal(d, 0.0)
    return d


def _nearest(entries: np.ndarray, exits: np.ndarray, start: np.ndarray) -> list[int]:
    """Nearest-neighbour order from ``start``, one row of distances at a time (no n² matrix)."""
    n = len(entries)
    taken = np.zeros(n, dtype=bool)
    at, order = start, []
    for _ in range(n):
        d = np.hypot(entries[:, 0] - at[0], entries[:, 1] - at[1])
        d[taken] = np.inf
        j = int(np.argmin(d))
        taken[j] = True
        order.append(j)
        at = exits[j]
    return order


def routing_overhead_s(n: int) -> float:
    """Seconds OR-Tools takes to build the model of ``n`` stops (see ROUTING_BASE_S)."""
    return ROUTING_BASE_S + ROUTING_PER_ARC_S * (n + 1) ** 2


def _sweep(entries: np.ndarray) -> list[int]:
    """Boustrophedon order in horizontal bands: O(n log n) for very many stops."""
    n = len(entries)
    y0, y1 = float(entries[:, 1].min()), float(entries[:, 1].max())
    bands = max(1, round(math.sqrt(n)))
    band = np.minimum(((entries[:, 1] - y0) / max(y1 - y0, 1e-9) * bands).astype(int), bands - 1)
    x = np.where(band % 2 == 0, entries[:, 0], -entries[:, 0])
    return [int(i) for i in np.lexsort((x, band))]


def _or_tools(d: np.ndarray, first: list[int], time_limit_s: float,
              solution_limit: int | None, local_search: bool) -> list[int] | None:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = d.shape[0] - 1
    manager = pywrapcp.RoutingIndexManager(n + 1, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    matrix = np.rint(d * MM_TO_ROUTE_UNITS).astype(np.int64).tolist()
    transit = routing.RegisterTransitMatrix(matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    if local_search:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
    params.time_limit.FromMicroseconds(max(1000, int(time_limit_s * 1e6)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    routing.CloseModelWithParameters(params)
    initial = routing.ReadAssignmentFromRoutes([[i + 1 for i in first]], True)
    solution = routing.SolveFromAssignmentWithParameters(initial, params)
    if solution is None:
        return None
    order: list[int] = []
    index = routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node:
            order.append(node - 1)
        index = solution.Value(routing.NextVar(index))
    return order


def order_stops(
    entries: np.ndarray,
    exits: np.ndarray | None = None,
    start: tuple[float, float] = (0.0, 0.0),
    *,
    time_limit_s: float = 1.0,
    solution_limit: int | None = None,
    local_search: bool = True,
) -> Route:
    """Order stops (entered at ``entries``, left at ``exits``, float64 (n, 2) mm) from ``start``.

    ``time_limit_s`` bounds the routing, model building included (0: nearest neighbour only);
    ``solution_limit`` gives tests a machine-independent budget. Never longer than the given order.
    """
    ins = np.asarray(entries, dtype=np.float64).reshape(-1, 2)
    outs = ins if exits is None else np.asarray(exits, dtype=np.float64).reshape(-1, 2)
    origin = np.asarray(start, dtype=np.float64)
    n = len(ins)
    identity = list(range(n))
    base = route_length(ins, outs, identity, origin)
    candidates: list[tuple[list[int], str]] = [(identity, "given")]
    if n > GREEDY_MAX_STOPS:
        candidates.append((_sweep(ins), "sweep"))
    elif n > 1:
        first = _nearest(ins, outs, origin)
        candidates.append((first, "nearest"))
        search_s = time_limit_s - routing_overhead_s(n)
        if 2 < n <= ROUTING_MAX_STOPS and search_s >= MIN_ROUTING_S:
            found = _or_tools(_distances(ins, outs, origin), first, search_s, solution_limit,
                              local_search)
            if found is not None:
                candidates.append((found, "or-tools"))
    best, method = min(reversed(candidates), key=lambda c: route_length(ins, outs, c[0], origin))
    return Route(tuple(best), route_length(ins, outs, best, origin), base, method)


def order_points(points: np.ndarray, start: tuple[float, float], **kwargs) -> Route:
    """Order points visited one by one (entry = exit), see :func:`order_stops`."""
    return order_stops(points, None, start, **kwargs)
