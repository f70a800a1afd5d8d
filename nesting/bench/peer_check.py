"""The independent check of a peer's layout (neutral format), and the figures it is scored by.

A peer's layout is a list of absolute polygons per bin: ``{"strip_length", "bins": [{"bin_id",
"placements": [{"item_id", "polygon"}]}]}``. Its own figures are not taken on trust: this module
rebuilds every rule with shapely from the job leathernest reads for the same instance, so a peer and
leathernest are judged by the same definitions (:mod:`leathernest.report.metrics`: density = placed
area / (height x length), utilisation = placed area / usable area of the hides used).

Rules (each violation is one line of text):

- ``unknown``: an item id that is not in the job, or a bin id that is not a hide;
- ``demand``: more placements of an item than its demand, or more copies of a hide than its stock;
- ``shape``: the polygon is not the item's outer ring moved rigidly (rotation and translation, no
  mirror: the peer scripts send outer rings, as their README says); ``rotation``: the recovered
  angle is not one the item allows;
- ``outside``: beyond the strip [0, L] x [0, H], or off the hide or in its holes;
- ``defect`` / ``grade``: on a zone the item may not use (:func:`leathernest.model.zone_blocks`);
- ``overlap``: two items share area.

Lengths are compared with ``VALIDATION_REL_TOL`` times the job's size and areas with that tolerance
times the size squared, exactly as :mod:`leathernest.validate` does. Imports numpy, shapely, the
model, the config and the report's usable-area definition; never ``search`` or ``collision``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from leathernest.config import VALIDATION_REL_TOL
from leathernest.geometry.shapes import hide_region, zone_region
from leathernest.model import Hide, Job, Piece, Strip, zone_blocks
from leathernest.report.metrics import usable_region
from leathernest.validate import job_scale

# A peer's angles come back through float coordinates (cos/sin, then our fit): allow this much
# (degrees) when matching them with an item's allowed set. 1e-4 deg moves a 10 m piece by 0.02 mm.
PEER_ANGLE_TOL_DEG = 1e-4


@dataclass
class PeerScore:
    """What the check found: violations, and the figures of the layout."""

    violations: list[str] = field(default_factory=list)
    placed: int = 0
    demand: int = 0
    placed_area_mm2: float = 0.0
    density: float | None = None
    strip_length: float | None = None
    hides_used: int | None = None
    utilisation: float | None = None

    @property
    def valid(self) -> bool:
        """No violation found."""
        return not self.violations


def _ring(points: object) -> np.ndarray:
    """Points as float64 (n, 2), counter-clockwise, without the closing or repeated points."""
    arr = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    keep = np.ones(len(arr), dtype=bool)
    keep[1:] = np.any(arr[1:] != arr[:-1], axis=1)
    arr = arr[keep]
    if len(arr) > 1 and np.array_equal(arr[0], arr[-1]):
        arr = arr[:-1]
    x, y = arr[:, 0], arr[:, 1]
    if np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)) < 0:
        arr = arr[::-1]
    return arr


def rigid_fit(reference: np.ndarray, placed: np.ndarray) -> tuple[float, float]:
    """Best rotation (degrees) taking ``reference`` onto ``placed``, and the worst point error.

    Both rings are (n, 2) counter-clockwise without a closing point. The start vertex of the
    placed ring is unknown, so every cyclic shift is tried; for each, the least-squares rotation
    about the centroids is ``atan2(sum(p x q), sum(p . q))`` (2-D Kabsch, no reflection).
    Returns ``(nan, inf)`` when the vertex counts differ.
    """
    if reference.shape != placed.shape:
        return math.nan, math.inf
    p = reference - reference.mean(axis=0)
    q0 = placed - placed.mean(axis=0)
    best = (math.nan, math.inf)
    for shift in range(len(q0)):
        q = np.roll(q0, -shift, axis=0)
        theta = math.atan2(float(np.sum(p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0])),
                           float(np.sum(p[:, 0] * q[:, 0] + p[:, 1] * q[:, 1])))
        c, s = math.cos(theta), math.sin(theta)
        rotated = np.column_stack((c * p[:, 0] - s * p[:, 1], s * p[:, 0] + c * p[:, 1]))
        err = float(np.max(np.hypot(*(rotated - q).T)))
        if err < best[1]:
            best = (math.degrees(theta) % 360.0, err)
    return best


def _check_shape(piece: Piece, ring: np.ndarray, tol: float, label: str, out: list[str]) -> None:
    angle, err = rigid_fit(_ring(piece.outline.outer), ring)
    if err > tol:
        out.append(f"shape: {label} is not the item's outline moved rigidly "
                   f"(worst vertex {err:.4g} mm off)")
    elif not piece.rotations.allows(angle, PEER_ANGLE_TOL_DEG):
        out.append(f"rotation: {label} turned {angle:.4f} deg, not an allowed orientation")


def _hide_hazards(hide: Hide):
    """(everything that is not leather, [(grade, zone region)]) of a hide."""
    leather = hide_region(hide)
    x0, y0, x1, y1 = leather.bounds
    pad = max(x1 - x0, y1 - y0) + 1.0
    return box(x0 - pad, y0 - pad, x1 + pad, y1 + pad).difference(leather), \
        [(z.grade, zone_region(z)) for z in hide.zones]


def _check_container(job: Job, piece: Piece, poly: Polygon, hide: Hide | None,
                     strip_length: float, tol: float, area_tol: float, label: str,
                     hazards: dict, out: list[str]) -> None:
    if isinstance(job.stock, Strip):
        x0, y0, x1, y1 = poly.bounds
        worst = max(-x0, -y0, y1 - job.stock.height, x1 - strip_length)
        if worst > tol:
            out.append(f"outside: {label} is {worst:.4g} mm beyond the strip [0, "
                       f"{strip_length:.3f}] x [0, {job.stock.height:g}]")
        return
    assert hide is not None
    if hide.id not in hazards:
        hazards[hide.id] = _hide_hazards(hide)
    outside, zones = hazards[hide.id]
    off = poly.intersection(outside).area
    if off > area_tol:
        out.append(f"outside: {label} has {off:.3f} mm² off hide {hide.id} or in its holes")
    for grade, zone in zones:
        if zone_blocks(grade, piece.min_grade):
            on = poly.intersection(zone).area
            if on > area_tol:
                kind = "defect" if grade == 0 else "grade"
                out.append(f"{kind}: {label} has {on:.3f} mm² on a grade-{grade} zone of "
                           f"hide {hide.id}")


def _check_overlaps(polys: list[tuple[str, Polygon]], area_tol: float, where: str,
                    out: list[str]) -> None:
    geoms = [g for _label, g in polys]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j and (shared := geoms[i].intersection(geoms[j]).area) > area_tol:
            out.append(f"overlap: {polys[i][0]} and {polys[j][0]} share {shared:.3f} mm² "
                       f"{where}")


def check_peer_layout(job: Job, layout: dict) -> PeerScore:
    """Check a peer's neutral layout against the job's rules and compute its figures."""
    pieces = {p.id: p for p in job.pieces}
    hides = {h.id: h for h in job.hides}
    strip_length = float(layout.get("strip_length") or 0.0)
    scale = max(job_scale(job, strip_length or None), 1.0)
    tol, area_tol = VALIDATION_REL_TOL * scale, VALIDATION_REL_TOL * scale * scale
    score = PeerScore(demand=sum(p.n_copies for p in job.pieces))
    out = score.violations
    counts: Counter[str] = Counter()
    copies: Counter[str] = Counter()
    hazards: dict = {}
    used_usable = 0.0
    for b, bin_ in enumerate(layout.get("bins", [])):
        hide = None
        if not job.is_strip:
            hide = hides.get(str(bin_.get("bin_id")))
            if hide is None:
                out.append(f"unknown: bin {bin_.get('bin_id')!r} is not a hide of the job")
                continue
        polys: list[tuple[str, Polygon]] = []
        for pl in bin_.get("placements", []):
            item = str(pl.get("item_id"))
            piece = pieces.get(item)
            counts[item] += 1
            label = f"{item}#{counts[item] - 1}"
            if piece is None:
                out.append(f"unknown: item {item!r} is not a piece of the job")
                continue
            ring = _ring(pl["polygon"])
            poly = Polygon(ring)
            _check_shape(piece, ring, tol, label, out)
            _check_container(job, piece, poly, hide, strip_length, tol, area_tol, label, hazards,
                             out)
            polys.append((label, poly))
            score.placed_area_mm2 += piece.area
            score.placed += 1
        _check_overlaps(polys, area_tol, f"in bin {b}", out)
        if hide is not None and polys:
            copies[hide.id] += 1
            used_usable += usable_region(hide).area
    for item, n in sorted(counts.items()):
        if item in pieces and n > pieces[item].n_copies:
            out.append(f"demand: {n} placements of {item}, demand {pieces[item].n_copies}")
    for hide_id, n in sorted(copies.items()):
        if n > hides[hide_id].stock:
            out.append(f"demand: {n} copies of hide {hide_id} used, stock {hides[hide_id].stock}")
    if isinstance(job.stock, Strip):
        score.strip_length = strip_length
        used = job.stock.height * strip_length
        score.density = score.placed_area_mm2 / used if used > 0 else 0.0
    else:
        score.hides_used = sum(copies.values())
        score.utilisation = score.placed_area_mm2 / used_usable if used_usable > 0 else 0.0
    return score

