"""The baseline nester: a simple constructive bottom-left fill in shapely. Slow, never wrong.

It is the reference the Numba engine must beat (``--engine baseline``), and it takes every kind
of job. For each unit (a copy, a mirrored pair, or a same-hide group), largest
and most constrained first, it tries every allowed orientation at candidate positions (a grid over
the container plus contact positions next to the pieces already placed, the idea of the
bottom-left heuristics surveyed by Bennell and Oliveira, 2008), in order of the right edge the
piece would reach, and takes the first that keeps the gap, the margin, the grades and the grain.
Candidates are tested in vectorised batches with shapely (GEOS), exactly, with a small extra
clearance (``BaselineConfig.clearance_rel``) so rounding can never produce a layout the validator
rejects.

Hides are filled in turn: a unit goes to the first open hide copy where it fits, else a new copy is
opened (largest hides first, or cheapest per m² for cost objectives). Units that fit nowhere are
reported unplaced with a reason; units not reached before the deadline are reported as
``time_limit``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from leathernest._version import __version__
from leathernest.config import BaselineConfig
from leathernest.geometry.backbone import backbone_arrays, reference_deg
from leathernest.geometry.orient import grain_ok, orientation_rows, sample_angles
from leathernest.geometry.shapes import hide_region, job_size, usable_region, zone_region
from leathernest.geometry.transform import place_ring
from leathernest.model import (
    Hide,
    HideLayout,
    Job,
    Piece,
    Placement,
    Solution,
    Strip,
    Unplaced,
    UnplacedReason,
    zone_blocks,
)
from leathernest.search.stop import Listener, Progress, StopToken, no_listener
from leathernest.search.units import PieceCopy, hide_order, make_units

BATCH = 512  # candidates tested per vectorised shapely call


@dataclass(frozen=True, slots=True)
class _Orient:
    rotation_deg: float
    mirrored: bool
    shape: Polygon  # at the origin, not yet translated
    bounds: tuple[float, float, float, float]


@dataclass
class Bin:
    """A container being filled: the strip, or one copy of a hide."""

    hide: Hide | None
    copy: int
    bounds: tuple[float, float, float, float]
    placements: list[Placement] = field(default_factory=list)
    polys: list[Polygon] = field(default_factory=list)
    tree: shapely.STRtree | None = None
    # The placed pieces grown by a little less than the gap: a candidate that meets one of them is
    # certainly too close, which rejects most candidates without computing distances.
    near: list[Polygon] = field(default_factory=list)
    near_tree: shapely.STRtree | None = None
    hazards: dict = field(default_factory=dict)  # min_grade -> (edge hazard, zone hazard)


def _references(hide: Hide | None) -> list[float]:
    """Reference directions the baseline tries grain against: the field's, or each segment's.

    A straight (or no) backbone has one; on a bent one the baseline tries the direction of each
    segment and checks the grain where the piece lands (:meth:`Filler.place_one`).
    """
    bb = backbone_arrays(None if hide is None else hide.backbone)
    if bb.straight:
        return [bb.constant_deg]
    return sorted({round(math.degrees(float(a)) % 360.0, 9) for a in bb.ang})


def allowed_rotations(piece: Piece, cfg: BaselineConfig, hide: Hide | None,
                      mirrored: bool) -> list[float]:
    """Rotations, in degrees, worth trying for the piece cut as ``mirrored`` on ``hide``.

    From the piece's orientation rows (:mod:`leathernest.geometry.orient`): each listed angle, a
    range's ends and middle, free rotation at ``cfg.free_angles`` evenly spaced angles; a grain
    piece's rows already keep only what lays its grain within tolerance of the reference.
    Repeats modulo 360 are dropped.
    """
    out: list[float] = []
    for ref in _references(hide):
        for row in orientation_rows(piece, (mirrored,), ref):
            full = row[1] - row[0] >= 360.0 - 1e-9
            for a in sample_angles(row, cfg.free_angles if full else 3):
                a = a % 360.0
                if all(abs((a - b + 180.0) % 360.0 - 180.0) > 1e-9 for b in out):
                    out.append(a)
    return out


def _orients(c: PieceCopy, cfg: BaselineConfig, hide: Hide | None) -> list[_Orient]:
    out = []
    for m in c.mirrors:
        for a in allowed_rotations(c.piece, cfg, hide, m):
            outer = place_ring(c.piece.outline.outer, a, m, 0.0, 0.0)
            holes = [place_ring(h, a, m, 0.0, 0.0) for h in c.piece.outline.holes]
            poly = Polygon(outer, holes)
            out.append(_Orient(a, m, poly, poly.bounds))
    return out


def _translated(shape: Polygon, offsets: np.ndarray) -> np.ndarray:
    """Copies of ``shape`` moved by each row of ``offsets`` (float64 (n, 2)), in one GEOS call."""
    geoms = np.full(len(offsets), shape, dtype=object)
    k = len(shapely.get_coordinates(shape))
    shift = np.repeat(offsets, k, axis=0)
    return shapely.transform(geoms, lambda coords: coords + shift)


class Filler:
    """Places units one by one; holds the job-wide settings and the open bins."""

    def __init__(self, job: Job, cfg: BaselineConfig, stop: StopToken) -> None:
        self.job = job
        self.cfg = cfg
        self.stop = stop
        scale = job_size(job)
        if isinstance(job.stock, Strip):
            scale = max(scale, job.demanded_area / job.stock.height)
        self.clear = cfg.clearance_rel * max(scale, 1.0)
        self.gap = job.gap_mm + self.clear
        self.margin = job.margin_mm + self.clear

    # -- hazards ---------------------------------------------------------------------------------

    def _hazards(self, b: Bin, min_grade: int | None):
        """(edge hazard kept at the margin, zone hazard kept at the clearance) for one grade."""
        if min_grade in b.hazards:
            return b.hazards[min_grade]
        hide = b.hide
        assert hide is not None
        region = hide_region(hide)
        x0, y0, x1, y1 = hide.outline.bbox
        pad = max(x1 - x0, y1 - y0) + 10.0 * self.margin + 1.0
        outside = box(x0 - pad, y0 - pad, x1 + pad, y1 + pad).difference(region)
        defects = [zone_region(z) for z in hide.zones if z.grade == 0]
        edge = shapely.union_all([outside, *defects])
        low = [zone_region(z) for z in hide.zones
               if z.grade > 0 and zone_blocks(z.grade, min_grade)]
        zones = shapely.union_all(low) if low else None
        shapely.prepare(edge)
        if zones is not None:
            shapely.prepare(zones)
        b.hazards[min_grade] = (edge, zones)
        return b.hazards[min_grade]

    # -- candidate positions ----------------------------------------------------------------------

    def _axis_values(self, lo: float, hi: float, starts: list[float]) -> np.ndarray:
        grid = np.linspace(lo, hi, self.cfg.grid_steps) if hi > lo else np.array([lo])
        vals = np.concatenate([grid, np.array(starts, dtype=np.float64)])
        vals = vals[(vals >= lo - 1e-9) & (vals <= hi + 1e-9)]
        return np.unique(np.clip(vals, lo, hi))

    def _candidates(self, b: Bin, o: _Orient) -> np.ndarray:
        """Translations for the orientation, ordered by the right edge they reach, then y."""
        bx0, by0, bx1, by1 = o.bounds
        cx0, cy0, cx1, cy1 = b.bounds
        xlo, xhi = cx0 + self.margin - bx0, cx1 - self.margin - bx1
        ylo, yhi = cy0 + self.margin - by0, cy1 - self.margin - by1
        if xhi < xlo - 1e-9 or yhi < ylo - 1e-9:
            return np.empty((0, 2))
        pb = np.array([p.bounds for p in b.polys]).reshape(-1, 4)
        xs = self._axis_values(xlo, max(xhi, xlo), list(pb[:, 2] + self.gap - bx0))
        ys = self._axis_values(ylo, max(yhi, ylo),
                               list(pb[:, 3] + self.gap - by0) + list(pb[:, 1] - self.gap - by1))
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        cand = np.column_stack([gx.ravel(), gy.ravel()])
        order = np.lexsort((cand[:, 1], cand[:, 0] + bx1))
        return cand[order]

    def _feasible(self, b: Bin, piece: Piece, geoms: np.ndarray) -> np.ndarray:
        """Exact checks, cheapest first: placed pieces (STRtree), then zones, then the edge."""
        ok = np.ones(len(geoms), dtype=bool)
        if b.near_tree is not None:
            hit, _ = b.near_tree.query(geoms, predicate="intersects")
            ok[np.unique(hit)] = False
        if b.tree is not None and ok.any():
            idx = np.flatnonzero(ok)
            hit, _ = b.tree.query(geoms[idx], predicate="dwithin", distance=self.gap)
            ok[idx[np.unique(hit)]] = False
        if b.hide is not None and ok.any():
            edge, zones = self._hazards(b, piece.min_grade)
            if zones is not None:
                ok[ok] = ~shapely.dwithin(zones, geoms[ok], self.clear)
            if ok.any():
                ok[ok] = ~shapely.dwithin(edge, geoms[ok], self.margin)
        return ok

    def place_one(self, b: Bin, c: PieceCopy) -> Placement | None:
        """The best feasible placement of one copy in the bin, or None."""
        best: tuple[float, float, Placement, Polygon] | None = None
        for o in _orients(c, self.cfg, b.hide):
            if self.stop.stopped():  # the time limit holds inside a unit too (many orientations)
                break
            cand = self._candidates(b, o)
            for start in range(0, len(cand), BATCH):
                chunk = cand[start:start + BATCH]
                if best is not None and chunk[0, 0] + o.bounds[2] > best[0]:
                    break
                geoms = _translated(o.shape, chunk)
                ok = self._feasible(b, c.piece, geoms)
                if ok.any() and c.piece.grain is not None and b.hide is not None:
                    ok[ok] = [self._grain_ok(b.hide, c.piece, o, g) for g in geoms[ok]]
                if ok.any():
                    i = int(np.flatnonzero(ok)[0])
                    key = (chunk[i, 0] + o.bounds[2], chunk[i, 1])
                    if best is None or key < best[:2]:
                        pl = Placement(c.piece.id, c.copy, None if b.hide is None else b.hide.id,
                                       o.rotation_deg, o.mirrored, float(chunk[i, 0]),
                                       float(chunk[i, 1]), b.copy)
                        best = (*key, pl, geoms[i])
                    break
        if best is None:
            return None
        pl, poly = best[2], best[3]
        b.placements.append(pl)
        b.polys.append(poly)
        b.near.append(poly.buffer(0.99 * self.gap, quad_segs=4) if self.gap > 0 else poly)
        self._reindex(b)
        return pl

    @staticmethod
    def _grain_ok(hide: Hide, piece: Piece, o: _Orient, poly: Polygon) -> bool:
        """Grain against the backbone where the candidate lies (a bent spine turns)."""
        c = poly.centroid
        return grain_ok(piece, o.rotation_deg, o.mirrored,
                        reference_deg(backbone_arrays(hide.backbone), c.x, c.y))

    @staticmethod
    def _reindex(b: Bin) -> None:
        b.tree = shapely.STRtree(b.polys) if b.polys else None
        b.near_tree = shapely.STRtree(b.near) if b.near else None
        for g in b.near:
            shapely.prepare(g)

    def place_unit(self, b: Bin, unit: list[PieceCopy]) -> bool:
        """Place every copy of the unit in the bin, or none of them."""
        n = len(b.placements)
        for c in unit:
            if self.place_one(b, c) is None:
                del b.placements[n:]
                del b.polys[n:]
                del b.near[n:]
                self._reindex(b)
                return False
        return True


def nest_baseline(job: Job, cfg: BaselineConfig | None = None, stop: StopToken | None = None,
                  listener: Listener = no_listener) -> Solution:
    """Nest the job with the constructive bottom-left fill; always returns a full account."""
    cfg = cfg or BaselineConfig()
    stop = stop or StopToken(job.time_limit_s)
    t0 = time.monotonic()
    f = Filler(job, cfg, stop)
    units = make_units(job)
    demanded = sum(p.n_copies for p in job.pieces)
    unplaced: list[Unplaced] = []
    bins: list[Bin] = []
    if isinstance(job.stock, Strip):
        length = max(job.demanded_area / job.stock.height * 4.0, 1.0) + sum(
            max(p.outline.bbox[2] - p.outline.bbox[0], p.outline.bbox[3] - p.outline.bbox[1])
            for p in job.pieces)
        bins.append(Bin(None, 0, (0.0, 0.0, length, job.stock.height)))
    stock_left = {h.id: h.stock for h in job.hides}
    order = hide_order(job)
    placed = 0
    for unit in units:
        if stop.stopped():
            reason = UnplacedReason.TIME_LIMIT
            unplaced += [Unplaced(c.piece.id, c.copy, reason) for c in unit]
            continue
        ok = any(f.place_unit(b, unit) for b in bins)
        if not ok and not job.is_strip:
            for h in order:
                if stock_left[h.id] == 0:
                    continue
                b = Bin(h, h.stock - stock_left[h.id], h.outline.bbox)
                if f.place_unit(b, unit):
                    bins.append(b)
                    stock_left[h.id] -= 1
                    ok = True
                    break
        if ok:
            placed += len(unit)
            listener(Progress(stop.elapsed_s, placed, demanded, hides_used=len(bins), phase="fill"))
        else:
            reason = UnplacedReason.TIME_LIMIT if stop.stopped() else why_unplaced(job, unit)
            unplaced += [Unplaced(c.piece.id, c.copy, reason) for c in unit]
    layouts = tuple(HideLayout(b.hide.id if b.hide else None, tuple(b.placements), b.copy)
                    for b in bins if b.placements or b.hide is None)
    strip_length = None
    if isinstance(job.stock, Strip):
        right = max((p.bounds[2] for p in bins[0].polys), default=0.0)
        strip_length = right + job.margin_mm + f.clear
    return Solution(
        job_name=job.name, kind="strip" if job.is_strip else "hides", layouts=layouts,
        unplaced=tuple(unplaced), strip_length=strip_length, seed=job.seed,
        elapsed_s=time.monotonic() - t0, version=__version__, engine="baseline",
        config={"baseline": dataclasses.asdict(cfg)},
    )


def why_unplaced(job: Job, unit: list[PieceCopy]) -> UnplacedReason:
    """The most telling reason a unit could not be placed."""
    if len(unit) > 1 and any(c.piece.group is not None for c in unit):
        return UnplacedReason.GROUP
    piece = unit[0].piece
    if job.is_strip:
        return UnplacedReason.NO_ROOM
    if piece.area > max(usable_region(h).area for h in job.hides):
        return UnplacedReason.TOO_LARGE
    return UnplacedReason.NO_ROOM
