"""The order rule of a cutter file: which contour the head cuts when, and the travel it costs.

All contours on a hide form a containment tree: a piece whose outline lies inside a hole (window,
cut-out) of another piece is a child of that hole. Anything inside a hole is cut before the hole,
and a piece's holes before its outer contour, recursively, so no piece is ever cut from a slug that
has already come loose (leather_domain.md, section 6: inner contours before the outer one). A
piece with its children is one *block*; the blocks at the top of the tree are ordered by routing
(:func:`leathernest.ordering.route.order_stops`), the children inside a hole by nearest
neighbour. Everything drawn with the pen (marks, creases, grain lines, labels) comes in a pen
pass before any cut, routed too.

The travel a plan reports is the sum of every move between consecutive contours as they are
written, from the corner: between pieces, between the contours of one piece, and in the pen pass
(:mod:`leathernest.io.dxf_travel` measures the same from a written file). After the order is
fixed, each closed contour starts at the vertex that shortens the moves to and from it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon

from leathernest.ordering.route import order_stops


@dataclass(frozen=True, slots=True, eq=False)
class Contour:
    """Something the head visits, and where it may start.

    ``points`` float64 (k, 2): for a closed contour the vertices it may start at (it ends where it
    starts); for an open one its first and last point (fixed).
    """

    points: np.ndarray
    closed: bool = True

    def ends(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) when started at vertex ``k``."""
        if self.closed:
            return self.points[k], self.points[k]
        return self.points[0], self.points[-1]

    def nearest(self, at: np.ndarray) -> int:
        """The start vertex nearest ``at``."""
        if not self.closed or len(self.points) == 1:
            return 0
        return int(np.argmin(np.hypot(*(self.points - at).T)))


@dataclass(frozen=True, slots=True, eq=False)
class PieceContours:
    """A placed piece as the head sees it: outer contour, holes, other tools, pen work.

    ``region`` and ``hole_regions`` are the outer contour and each hole as polygons, for the
    containment tree.
    """

    outer: Contour
    region: Polygon
    holes: tuple[Contour, ...] = ()
    hole_regions: tuple[Polygon, ...] = ()
    tools: tuple[Contour, ...] = ()  # punches and notches: cut first
    pen: tuple[Contour, ...] = ()  # marks, creases, grain lines, labels: the pen pass


@dataclass(frozen=True, slots=True)
class Step:
    """One contour in cutting order: piece, kind (pen, tool, hole, outer), index, start vertex."""

    piece: int
    kind: str
    index: int
    start: int


@dataclass(frozen=True, slots=True)
class CutPlan:
    """Every contour of a hide in order, with the idle travel (mm) it costs."""

    steps: tuple[Step, ...]
    order: tuple[int, ...]  # pieces in the order their outer contours are cut
    travel_mm: float
    unoptimised_travel_mm: float  # blocks in the given order, pen pass likewise
    method: str  # how the top-level order was found (see Route)
    routing_s: float = 0.0
    parents: dict[int, tuple[int, int]] = field(default_factory=dict)  # piece -> (piece, hole)


def containment(pieces: list[PieceContours]) -> dict[int, tuple[int, int]]:
    """For each piece inside a hole of another: (that piece, hole index), the smallest such hole.

    The layout is valid (pieces do not overlap), so a piece is inside a hole when a point of its
    leather (not of its own windows, which may hold other pieces) is.
    """
    holes = [(i, h, poly) for i, p in enumerate(pieces) for h, poly in enumerate(p.hole_regions)]
    if not holes:
        return {}
    tree = shapely.STRtree([poly for _, _, poly in holes])
    probes = [(p.region.difference(shapely.union_all(p.hole_regions)) if p.hole_regions
               else p.region).representative_point() for p in pieces]
    pts, hits = tree.query(probes, predicate="within")
    parents: dict[int, tuple[int, int]] = {}
    best: dict[int, float] = {}
    for k, hole_idx in zip(pts.tolist(), hits.tolist(), strict=True):
        i, h, poly = holes[hole_idx]
        if i == k:
            continue
        if k not in best or poly.area < best[k]:
            best[k] = poly.area
            parents[k] = (i, h)
    return parents


class _Planner:
    """Builds blocks (a piece and everything inside its holes) and flattens them into steps."""

    def __init__(self, pieces: list[PieceContours]) -> None:
        self.pieces = pieces
        self.parents = containment(pieces)
        self.children: dict[tuple[int, int], list[int]] = {}
        for k, key in sorted(self.parents.items()):
            self.children.setdefault(key, []).append(k)
        self.blocks: dict[int, list[Step]] = {}

    def contour(self, s: Step) -> Contour:
        p = self.pieces[s.piece]
        if s.kind == "outer":
            return p.outer
        return {"pen": p.pen, "tool": p.tools, "hole": p.holes}[s.kind][s.index]

    def block(self, i: int) -> list[Step]:
        """Tool steps of piece i: its tools, each hole after what lies inside it, its outline."""
        if i in self.blocks:
            return self.blocks[i]
        p = self.pieces[i]
        x0, y0, _, _ = p.region.bounds
        at = np.array([x0, y0])
        steps: list[Step] = []

        def visit(kind: str, index: int, c: Contour) -> None:
            nonlocal at
            k = c.nearest(at)
            steps.append(Step(i, kind, index, k))
            at = c.ends(k)[1]

        for t in self._nearest_first(list(range(len(p.tools))), lambda t: p.tools[t], at):
            visit("tool", t, p.tools[t])
        for h in self._nearest_first(list(range(len(p.holes))), lambda h: p.holes[h], at):
            inside = self.children.get((i, h), [])
            for child in self._nearest_blocks(inside, at):
                steps.extend(self.block(child))
                at = self.ends(self.blocks[child])[1]
            visit("hole", h, p.holes[h])
        visit("outer", 0, p.outer)
        self.blocks[i] = steps
        return steps

    def ends(self, steps: list[Step]) -> tuple[np.ndarray, np.ndarray]:
        first, last = steps[0], steps[-1]
        return self.contour(first).ends(first.start)[0], self.contour(last).ends(last.start)[1]

    def _nearest_first(self, items: list[int], contour: Callable[[int], Contour],
                       at: np.ndarray) -> list[int]:
        """Items in nearest-neighbour order from ``at`` (ties: the earlier item).

        Every contour's points are stacked once and measured together at each step, so a piece
        with a thousand punched holes orders them in milliseconds, not in a Python loop per pair.
        """
        if len(items) < 2:
            return list(items)
        pts = [contour(t).points for t in items]
        owner = np.repeat(np.arange(len(items)), [len(p) for p in pts])
        xy = np.vstack(pts)
        alive = np.ones(len(xy), dtype=bool)
        out: list[int] = []
        for _ in range(len(items)):
            d = np.hypot(xy[:, 0] - at[0], xy[:, 1] - at[1])
            d[~alive] = np.inf
            j = int(owner[int(np.argmin(d))])
            alive[owner == j] = False
            out.append(items[j])
            c = contour(items[j])
            at = c.ends(c.nearest(at))[1]
        return out

    def _nearest_blocks(self, items: list[int], at: np.ndarray) -> list[int]:
        for k in items:
            self.block(k)
        out, left = [], list(items)
        while left:
            j = min(left, key=lambda k: float(np.hypot(*(self.ends(self.blocks[k])[0] - at))))
            left.remove(j)
            out.append(j)
            at = self.ends(self.blocks[j])[1]
        return out

    def pen_pass(self, order: list[int], at: np.ndarray) -> list[Step]:
        steps: list[Step] = []
        for i in order:
            for j, c in enumerate(self.pieces[i].pen):
                k = c.nearest(at)
                steps.append(Step(i, "pen", j, k))
                at = c.ends(k)[1]
        return steps

    def travel(self, steps: list[Step], start: np.ndarray) -> float:
        at, total = start, 0.0
        for s in steps:
            a, b = self.contour(s).ends(s.start)
            total += math.dist(at, a)
            at = b
        return total

    def better_starts(self, steps: list[Step], start: np.ndarray) -> list[Step]:
        """Each closed contour started at the vertex with the shortest moves in and out."""
        out = list(steps)
        prev = start
        for n, s in enumerate(out):
            c = self.contour(s)
            if c.closed and len(c.points) > 1:
                cost = np.hypot(*(c.points - prev).T)
                if n + 1 < len(out):
                    nxt = out[n + 1]
                    cost = cost + np.hypot(*(c.points - self.contour(nxt).ends(nxt.start)[0]).T)
                out[n] = Step(s.piece, s.kind, s.index, int(np.argmin(cost)))
            prev = self.contour(out[n]).ends(out[n].start)[1]
        return out


def plan_cuts(
    pieces: list[PieceContours],
    corner: tuple[float, float],
    *,
    time_limit_s: float = 0.2,
    solution_limit: int | None = None,
) -> CutPlan:
    """The cutting order of the pieces on one hide (see the module docstring).

    The pen pass is routed through the pieces that carry pen work, then the blocks from where it
    ended; ``time_limit_s`` bounds both routings together (0: nearest neighbour only).
    """
    start = np.asarray(corner, dtype=np.float64)
    plan = _Planner(pieces)
    tops = [i for i in range(len(pieces)) if i not in plan.parents]
    inked = [i for i, p in enumerate(pieces) if p.pen]
    t0 = time.perf_counter()
    pen: list[Step] = []
    at = start
    pen_method = ""
    if inked:
        ins = np.array([pieces[i].pen[0].points[0] for i in inked]).reshape(-1, 2)
        outs = np.array([pieces[i].pen[-1].points[-1] for i in inked]).reshape(-1, 2)
        pen_route = order_stops(ins, outs, corner, time_limit_s=time_limit_s / 3,
                                solution_limit=solution_limit)
        pen = plan.pen_pass([inked[k] for k in pen_route.order], start)
        at = plan.contour(pen[-1]).ends(pen[-1].start)[1]
        pen_method = f", pen {pen_route.method}"
    ends = [plan.ends(plan.block(i)) for i in tops]
    entries = np.array([e[0] for e in ends], dtype=np.float64).reshape(-1, 2)
    exits = np.array([e[1] for e in ends], dtype=np.float64).reshape(-1, 2)
    left = time_limit_s - (time.perf_counter() - t0)
    route = order_stops(entries, exits, (float(at[0]), float(at[1])),
                        time_limit_s=max(left, 0.0) if time_limit_s > 0 else 0.0,
                        solution_limit=solution_limit)
    routing_s = time.perf_counter() - t0
    tool = [s for k in route.order for s in plan.block(tops[k])]
    steps = plan.better_starts(pen + tool, start)
    plain = plan.pen_pass(inked, start) + [s for i in tops for s in plan.block(i)]
    return CutPlan(
        steps=tuple(steps),
        order=tuple(s.piece for s in steps if s.kind == "outer"),
        travel_mm=plan.travel(steps, start),
        unoptimised_travel_mm=plan.travel(plain, start),
        method=route.method + pen_method,
        routing_s=routing_s,
        parents=plan.parents,
    )
