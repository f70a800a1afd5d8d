"""Constructive start: a bottom-left fill of the strip with the engine's batched exact test.

Pieces go in by decreasing area (the usual first-fit-decreasing order of bottom-left heuristics,
surveyed by Bennell and Oliveira, 2008; Sparrow starts from a similar left-bottom fill). For each
piece, candidate positions of every allowed orientation (a few sampled angles for ranges and free
rotation) lie on a grid: x from the strip's left edge to just past the layout's right edge, y over
the usable height. They are ordered by the right edge the piece would reach, then by height, and
tested in chunks with :meth:`CollisionEngine.batch_feasible` until one is free; that position is
then slid left and down by bisection. Past the layout's right edge every candidate of a piece that
fits the height is free, so every such piece is placed.

Imports numpy and the search state; no numba.
"""

from __future__ import annotations

import numpy as np

from leathernest.search import kernels as sk
from leathernest.search.state import NestState
from leathernest.search.stop import StopToken

GRID_Y = 16  # candidate rows over the usable height
STEP_FRAC = 0.25  # x step of the grid, as a share of the piece's smaller side
RANGE_ANGLES = 8  # angles sampled per rotation range (free rotation: every 45 degrees)
CHUNK = 256  # candidates tested per batch_feasible call
SLIDE_STEPS = 8  # bisection steps when sliding a found position left and down
# Strip length = right edge of the layout + this share of the strip height, so that the strict
# box test of the engine holds for the rightmost piece.
LENGTH_PAD_REL = 1e-7


def sampled_angles(row: np.ndarray) -> list[float]:
    """The angles a construction tries for one orientation row."""
    lo, hi = float(row[0]), float(row[1])
    if hi <= lo:
        return [lo]
    if hi - lo >= 360.0 - 1e-9:
        return [lo + 360.0 * i / RANGE_ANGLES for i in range(RANGE_ANGLES)]
    return [lo + (hi - lo) * i / (RANGE_ANGLES - 1) for i in range(RANGE_ANGLES)]


def orientation_boxes(state: NestState, k: int) -> list[tuple[float, float, int, np.ndarray]]:
    """(rotation_deg, mirrored, row, rotated bbox of the stock hull) of every tried orientation."""
    hull = state.items.hulls[state.items.shape_of[k]]
    out = []
    for j, row in enumerate(state.items.orients[k]):
        for a in sampled_angles(row):
            bb = np.empty(4)
            sk.hull_bbox(hull, a, bool(row[2]), bb)
            out.append((a, float(row[2]), j, bb))
    return out


def candidates(state: NestState, k: int, right: float) -> np.ndarray:
    """float64[N, 5] candidate placements of copy k, ordered bottom-left by reach."""
    box = state.engine.static.box
    gap = state.engine.gap_mm
    step = max(STEP_FRAC * float(state.items.min_dims[k]), 1e-9)
    rows = []
    for a, mir, j, bb in orientation_boxes(state, k):
        xlo, ylo = box[0] - bb[0], box[1] - bb[1]
        # past the layout's right edge (plus the gap, as pieces see each other inflated) every
        # position is free
        xhi = min(box[2] - bb[2], right - bb[0] + gap + 2.0 * step)
        yhi = box[3] - bb[3]
        if yhi <= ylo or xhi <= xlo:
            continue
        eps = 1e-9 * max(box[3], 1.0)
        xs = np.arange(xlo + eps, xhi + step, step)
        ys = np.linspace(ylo + eps, yhi - eps, GRID_Y)
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        c = np.empty((gx.size, 6))
        c[:, 0], c[:, 1], c[:, 2], c[:, 3], c[:, 4] = a, mir, gx.ravel(), gy.ravel(), j
        c[:, 5] = gx.ravel() + bb[2]
        rows.append(c)
    if not rows:
        return np.zeros((0, 5))
    c = np.concatenate(rows)
    order = np.lexsort((c[:, 3], c[:, 5]))
    return np.ascontiguousarray(c[order, :5])


def _slide(state: NestState, k: int, pos: np.ndarray, axis: int, span: float) -> None:
    """Move pos (float64[5]) towards -axis by bisection while it stays feasible."""
    eng, shape = state.engine, state.shape(k)
    lo_ok = 0.0
    hi = span
    for _ in range(SLIDE_STEPS):
        mid = 0.5 * (lo_ok + hi)
        trial = pos.copy()
        trial[axis] -= mid
        if eng.feasible(shape, trial[0], trial[1] != 0.0, trial[2], trial[3], ignore=k):
            lo_ok = mid
        else:
            hi = mid
    pos[axis] -= lo_ok


def place_one(state: NestState, k: int, right: float) -> bool:
    """Put copy k at its bottom-left-most free candidate; False when none is free."""
    cand = candidates(state, k, right)
    eng, shape = state.engine, state.shape(k)
    step = max(STEP_FRAC * float(state.items.min_dims[k]), 1e-9)
    for s in range(0, len(cand), CHUNK):
        chunk = np.ascontiguousarray(cand[s : s + CHUNK, :4])
        ok = eng.batch_feasible(shape, chunk, ignore=k)
        hits = np.flatnonzero(ok)
        if len(hits):
            pos = cand[s + hits[0]].copy()
            for _ in range(2):
                _slide(state, k, pos, 2, step)
                _slide(state, k, pos, 3, pos[3] - eng.static.box[1])
            state.put(k, pos)
            return True
    return False


def right_edge(state: NestState) -> float:
    """Right edge of the stock-inflated layout (the engine's view)."""
    keys = [k for k in state.placed_keys().tolist() if state.engine.is_placed(k)]
    if not keys:
        return float(state.engine.static.box[0])
    return max(float(state.engine.placed_bbox(k)[2]) for k in keys)


def fit_length(state: NestState) -> float:
    """The shortest strip length that holds the current layout (engine view)."""
    inset = state.engine.static.inset
    pad = LENGTH_PAD_REL * state.items.job.stock.height  # type: ignore[union-attr]
    return right_edge(state) + inset + pad


def construct(state: NestState, stop: StopToken | None = None) -> None:
    """Place every placeable copy by bottom-left fill and fit the strip length to the layout.

    Runs to the end even past the deadline, since the search must return a complete layout; on
    the bundled instances it takes well under the time limits used.
    """
    keys = state.placed_keys().tolist()
    order = sorted(keys, key=lambda k: (-state.items.areas[k], k))
    right = float(state.engine.static.box[0])
    for k in order:
        if not place_one(state, k, right):
            raise RuntimeError(f"construct: copy {k} found no free position (a bug)")
        right = max(right, float(state.engine.placed_bbox(k)[2]))
    state.engine.set_strip_length(fit_length(state))
