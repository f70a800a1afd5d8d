"""Chain loose LINE/ARC/polyline pieces into closed rings and open chains, keeping true arcs.

CAD and CAM files often draw a part's outline as a "soup" of separate LINEs and ARCs whose end
points meet only up to rounding. Endpoints closer than the chaining tolerance are merged into one
node (a grid hash with cells of the tolerance's size finds neighbours in O(1)); the walk then
follows unused segments from node to node. A walk that comes back to its first node is a closed
ring; one that stops is an open chain, reported with the gap between its ends.

At a junction (three or more segments at one node: T-joints, overlapping drawings) the walk takes
the segment that turns least to the left, which traces the outermost loop through the junction; what
is left over is chained again. Only segments of the same group and layer are chained together.

Imports numpy and the model only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from leathernest.io.dxf_curves import reverse_path
from leathernest.io.dxf_entities import Segment
from leathernest.model import CurvePath


@dataclass(frozen=True, slots=True, eq=False)
class Chain:
    """A chained contour: closed ring or open chain, with the entities it was made of."""

    path: CurvePath
    closed: bool
    handles: tuple[str, ...]
    layer: str
    group: int
    freeform: bool
    gap: float = 0.0  # distance between the ends of an open chain, mm


class _Nodes:
    """Endpoint clustering on a grid of cell size ``tol``."""

    def __init__(self, tol: float) -> None:
        self.tol = tol
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.coords: list[np.ndarray] = []

    def node(self, p: np.ndarray) -> int:
        cx, cy = math.floor(p[0] / self.tol), math.floor(p[1] / self.tol)
        best, best_d = -1, self.tol
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for k in self.cells.get((cx + dx, cy + dy), ()):
                    d = float(np.hypot(*(self.coords[k] - p)))
                    if d <= best_d:
                        best, best_d = k, d
        if best >= 0:
            return best
        self.coords.append(p)
        self.cells[(cx, cy)].append(len(self.coords) - 1)
        return len(self.coords) - 1


def _tangent_angle(path: CurvePath, at_start: bool) -> float:
    """Direction of travel leaving the path's start (or arriving at its end), radians."""
    pts, b = path.points, path.bulges
    if at_start:
        d = pts[1] - pts[0]
        turn = -2.0 * math.atan(b[0])  # the tangent leads the chord by half the included angle
    else:
        d = pts[-1] - pts[-2]
        turn = 2.0 * math.atan(b[-2])
    return math.atan2(d[1], d[0]) + turn


def _join(paths: list[CurvePath], closed: bool) -> CurvePath:
    pts: list[np.ndarray] = []
    bulges: list[float] = []
    for p in paths:
        pts.extend(p.points[:-1])
        bulges.extend(float(x) for x in p.bulges[:-1])
    if not closed:
        pts.append(paths[-1].points[-1])
        bulges.append(0.0)
    return CurvePath(np.array(pts, dtype=np.float64), np.array(bulges, dtype=np.float64), closed)


def chain_segments(segments: list[Segment], tol: float) -> list[Chain]:
    """Closed segments as they are, open ones chained per (group, layer); returns all chains."""
    chains: list[Chain] = []
    buckets: dict[tuple[int, str], list[Segment]] = defaultdict(list)
    for s in segments:
        if s.path.closed:
            chains.append(Chain(s.path, True, (s.handle,), s.layer, s.group, s.freeform))
        else:
            buckets[(s.group, s.layer)].append(s)
    for (group, layer), segs in buckets.items():
        chains.extend(_chain_bucket(segs, tol, group, layer))
    return chains


def _chain_bucket(segs: list[Segment], tol: float, group: int, layer: str) -> list[Chain]:
    nodes = _Nodes(max(tol, 1e-12))
    ends = [(nodes.node(s.path.points[0]), nodes.node(s.path.points[-1])) for s in segs]
    at_node: dict[int, list[int]] = defaultdict(list)
    for i, (a, b) in enumerate(ends):
        at_node[a].append(i)
        if b != a:
            at_node[b].append(i)
    used = [False] * len(segs)
    out: list[Chain] = []

    def oriented(i: int, from_node: int) -> tuple[CurvePath, int]:
        a, b = ends[i]
        return (segs[i].path, b) if a == from_node else (reverse_path(segs[i].path), a)

    def step(node: int, heading: float) -> int | None:
        cands = [i for i in at_node[node] if not used[i]]
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0]

        def left_turn(i: int) -> float:
            path, _ = oriented(i, node)
            d = (_tangent_angle(path, True) - heading) % (2 * math.pi)
            return d if d <= math.pi else d - 2 * math.pi

        # The smallest left turn (most clockwise) keeps to the outside of a junction.
        return min(cands, key=left_turn)

    for first in range(len(segs)):
        if used[first]:
            continue
        used[first] = True
        start, end = ends[first]
        paths = [segs[first].path]
        members = [first]
        while end != start:
            nxt = step(end, _tangent_angle(paths[-1], False))
            if nxt is None:
                break
            used[nxt] = True
            path, end = oriented(nxt, end)
            paths.append(path)
            members.append(nxt)
        closed = end == start and (
            len(paths) > 1 or len(paths[0].points) > 2 or bool(np.any(paths[0].bulges))
        )
        if not closed:
            # Grow backwards from the first segment's start as well.
            back_node = start
            while back_node != end:
                heading = _tangent_angle(reverse_path(paths[0]), False)
                nxt = step(back_node, heading)
                if nxt is None:
                    break
                used[nxt] = True
                path, back_node = oriented(nxt, back_node)
                paths.insert(0, reverse_path(path))
                members.insert(0, nxt)
            start = back_node
            closed = start == end and len(paths) > 1
        handles = tuple(dict.fromkeys(segs[i].handle for i in members))
        freeform = any(segs[i].freeform for i in members)
        joined = _join(paths, closed)
        if closed and len(joined.points) < 2:
            continue
        gap = 0.0 if closed else float(np.hypot(*(joined.points[-1] - joined.points[0])))
        out.append(Chain(joined, closed, handles, layer, group, freeform, gap))
    return out
