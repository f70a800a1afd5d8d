"""Per-piece feedback on a layout: which gaps waste leather, and which pieces are badly placed.

Which gap wastes how much, which piece cuts the remnant up, which piece spends best leather it does
not need.

This is what a trainer says at the cutting table, as data (``leather_domain.md`` section 7:
interlock the patterns, keep the skin square, the croupon for the pieces that need it):

- ``gap``: the first waste (leather enclosed between pieces, :mod:`leathernest.scoring.waste`) is
  shared out to the pair of pieces nearest to each bit of it; a pair further apart than the knife
  needs owns a lane of lost leather. The saving is the part of that lane a placement at the needed
  gap would not leave: lane area x (d - gap) / d, d the pair's distance.
- ``alone``: a piece with no neighbour within that width, on a hide with other pieces: it splits
  the free leather, so the remnant kept is smaller.
- ``grade``: a piece that could take a lower grade lying mostly on the hide's unmarked best
  leather, in an order that also has pieces needing the best grade.

Each item names the pieces (``id#copy``), the hide, an amount, a one-line message, a point to mark
on a picture (``at``) and, where a move helps, the direction to move in (``towards``, a unit
vector). Imports the model, the waste figures and shapely.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.ops import nearest_points

from leathernest.model import Job, Placement, Solution
from leathernest.scoring.waste import NEST_WIDTH_MM, HideWaste, unmarked_region
from leathernest.validate import placed_shape

# A gap this much wider than needed (mm) is worth a word; below it, it is float noise or fine work.
GAP_NOTE_MM = 1.0
# Savings smaller than this (mm², 2 cm²) are not worth a line of feedback.
NOTE_MIN_MM2 = 200.0
# The first waste is shared out to pairs of pieces on a grid of about this many cells, with cells
# of 1 to 5 mm: fine enough for lanes a few millimetres wide, bounded for any hide.
SAMPLES = 20_000
MIN_STEP_MM = 1.0
MAX_STEP_MM = 5.0
# A piece lying with more than this share of its area on best leather it does not need is noted.
GRADE_NOTE_SHARE = 0.5
# At most this many items, biggest saving first: enough for a debrief, bounded for any layout.
MAX_ITEMS = 40


def _label(p: Placement) -> str:
    return f"{p.piece_id}#{p.copy}"


def _unit(ax: float, ay: float, bx: float, by: float) -> list[float] | None:
    d = math.hypot(bx - ax, by - ay)
    return None if d == 0 else [(bx - ax) / d, (by - ay) / d]


def _sample(region, n_target: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Centres of grid cells inside ``region`` (about ``n_target`` of them), and the cell size."""
    if region.is_empty or region.area <= 0:
        return np.empty(0), np.empty(0), 0.0
    step = min(max(math.sqrt(region.area / n_target), MIN_STEP_MM), MAX_STEP_MM)
    x0, y0, x1, y1 = region.bounds
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    gx, gy = gx.ravel(), gy.ravel()
    shapely.prepare(region)
    inside = shapely.contains_xy(region, gx, gy)
    return gx[inside], gy[inside], step


def _gaps(job: Job, items: list[tuple[Placement, Polygon]], waste: HideWaste,
          width_mm: float) -> list[dict]:
    """First waste shared out to the two pieces nearest to each bit of it, gap by gap.

    Every cell of a fine grid over the first waste goes to the pair of pieces closest to it (a
    sampled Voronoi split): that is the leather the gap between those two leaves. Pairs no
    further apart than the gap needs (plus :data:`GAP_NOTE_MM`) leave only what the knife needs.
    """
    gx, gy, step = _sample(waste.first, SAMPLES)
    if len(gx) == 0:
        return []
    polys = np.array([poly for _p, poly in items], dtype=object)
    tree = shapely.STRtree(polys)
    pts = shapely.points(gx, gy)
    at, piece = tree.query(pts, predicate="dwithin", distance=width_mm / 2.0 + step)
    dist = shapely.distance(pts[at], polys[piece])
    order = np.lexsort((dist, at))
    at, piece = at[order], piece[order]
    first = np.r_[True, at[1:] != at[:-1]]  # the nearest piece of each sample point
    second = np.r_[False, first[:-1]] & ~first  # ... and the next nearest
    pair_at = at[second]
    a, b = piece[np.flatnonzero(second) - 1], piece[second]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    cells: dict[tuple[int, int], list[int]] = {}
    for k, key in enumerate(zip(lo.tolist(), hi.tolist(), strict=True)):
        cells.setdefault(key, []).append(int(pair_at[k]))
    out = []
    for (i, j), where in cells.items():
        d = float(polys[i].distance(polys[j]))
        area = len(where) * step * step
        saving = area * (d - job.gap_mm) / d if d > job.gap_mm + GAP_NOTE_MM else 0.0
        if saving < NOTE_MIN_MM2:
            continue
        na, nb = nearest_points(polys[i], polys[j])
        la, lb = _label(items[i][0]), _label(items[j][0])
        out.append({
            "kind": "gap", "pieces": [la, lb], "hide": waste.hide_id,
            "hide_copy": waste.hide_copy, "amount_mm2": saving, "distance_mm": d,
            "message": (f"{la} and {lb} are {d:.1f} mm apart where {job.gap_mm:g} mm is "
                        f"needed: closing the gap saves about {saving / 100:.0f} cm² of leather"),
            "at": [float(gx[where].mean()), float(gy[where].mean())],
            "towards": _unit(na.x, na.y, nb.x, nb.y),
        })
    return out


def _alone(items: list[tuple[Placement, Polygon]], waste: HideWaste,
           width_mm: float) -> list[dict]:
    if len(items) < 2:
        return []
    out = []
    for k, (p, poly) in enumerate(items):
        others = [(q, other) for m, (q, other) in enumerate(items) if m != k]
        q, other = min(others, key=lambda t: poly.distance(t[1]))
        d = poly.distance(other)
        if d < width_mm:
            continue
        na, nb = nearest_points(poly, other)
        c = poly.centroid
        out.append({
            "kind": "alone", "pieces": [_label(p), _label(q)], "hide": waste.hide_id,
            "hide_copy": waste.hide_copy, "amount_mm2": 0.0, "distance_mm": d,
            "message": (f"{_label(p)} stands {d:.0f} mm from its nearest neighbour "
                        f"{_label(q)}: it cuts the remnant up; lay it next to the others"),
            "at": [c.x, c.y], "towards": _unit(na.x, na.y, nb.x, nb.y),
        })
    return out


def _grades(job: Job, items: list[tuple[Placement, Polygon]], waste: HideWaste) -> list[dict]:
    if not any(p.min_grade is None for p in job.pieces):
        return []  # nothing in the order competes for the best leather
    hide = next((h for h in job.hides if h.id == waste.hide_id), None)
    if hide is None:
        return []
    best = unmarked_region(hide)
    out = []
    for p, poly in items:
        piece = job.piece(p.piece_id)
        if piece.min_grade is None:
            continue
        on = poly.intersection(best).area
        if on < GRADE_NOTE_SHARE * piece.area or on < NOTE_MIN_MM2:
            continue
        c = poly.centroid
        out.append({
            "kind": "grade", "pieces": [_label(p)], "hide": waste.hide_id,
            "hide_copy": waste.hide_copy, "amount_mm2": on, "distance_mm": None,
            "message": (f"{_label(p)} would take grade {piece.min_grade} but lies on "
                        f"{on / 100:.0f} cm² of best leather: keep the croupon for the pieces "
                        "that need it"),
            "at": [c.x, c.y], "towards": None,
        })
    return out


def layout_feedback(job: Job, solution: Solution, wastes: list[HideWaste],
                    width_mm: float = NEST_WIDTH_MM) -> list[dict]:
    """Feedback items for every hide of the layout, the biggest saving first (module docstring)."""
    pieces = {p.id for p in job.pieces}
    by_hide = {(w.hide_id, w.hide_copy): w for w in wastes}
    out: list[dict] = []
    for lay in solution.layouts:
        waste = by_hide.get((lay.hide_id, lay.hide_copy))
        if waste is None:
            continue
        items = [(p, placed_shape(job.piece(p.piece_id), p)) for p in lay.placements
                 if p.piece_id in pieces]
        out += _gaps(job, items, waste, width_mm) + _alone(items, waste, width_mm)
        if not job.is_strip:
            out += _grades(job, items, waste)
    order = {"gap": 0, "alone": 1, "grade": 2}
    out.sort(key=lambda f: (order[f["kind"]], -f["amount_mm2"], -(f["distance_mm"] or 0.0)))
    return out[:MAX_ITEMS]
