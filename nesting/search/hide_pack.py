"""Packing units onto hide copies with the Numba collision engine: the geometric step of hides.

For one copy (or a pair or group) and one hide copy, every allowed orientation is tried at a grid of
positions over the hide, all evaluated in one ``batch_feasible`` kernel call; the feasible sample
with the lowest *gravity key* (the piece's far corner pulled towards one corner of the hide, a
bottom-left rule as in the constructive heuristics surveyed by Bennell and Oliveira, 2008, and the
sampling of jagua-rs's LBF constructor) is then slid further towards that corner by a shrinking
pattern search that only ever accepts feasible positions. A grain-constrained piece is checked
against the backbone segment nearest to it before it is accepted.

This module does no validation of its own: the driver's result goes through the exact validator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from leathernest.collision.engine import CollisionEngine
from leathernest.collision.prepare import PreparedShape, prepare
from leathernest.config import BaselineConfig
from leathernest.geometry.transform import place_points, placed_direction_deg
from leathernest.model import Hide, Job, Piece, Placement
from leathernest.search.baseline import PieceCopy, allowed_rotations
from leathernest.validate import backbone_direction_deg

GRID = 28  # positions per axis sampled over the hide for each orientation
RANDOM_SAMPLES = 256  # extra uniform samples per orientation (finds narrow gaps the grid misses)
SLIDE_MIN_REL = 1e-3  # the slide stops when its step falls below this share of the piece size
FREE_ANGLES = 16  # free rotation is sampled at this many angles (the baseline takes 8)
Y_WEIGHT = 0.35  # gravity key = right edge + Y_WEIGHT x top edge (mostly leftwards, then down)


@dataclass
class HideBin:
    """One hide copy being filled: its engine and what is on it."""

    hide: Hide
    copy: int
    engine: CollisionEngine
    placements: dict[int, Placement] = field(default_factory=dict)  # engine key -> placement
    area: float = 0.0
    next_key: int = 0

    def free_key(self) -> int:
        """An engine key not in use."""
        while self.next_key in self.placements:
            self.next_key += 1
        return self.next_key


@dataclass(frozen=True)
class _Orientation:
    rotation_deg: float
    mirrored: bool
    bbox: tuple[float, float, float, float]  # of the rotated outline at the origin


class HidePacker:
    """Places units on hide copies; holds per-piece prepared shapes and orientations."""

    def __init__(self, job: Job, rng: np.random.Generator, cfg: BaselineConfig | None = None,
                 max_pieces: int | None = None) -> None:
        self.job = job
        self.rng = rng
        self.cfg = cfg or BaselineConfig(free_angles=FREE_ANGLES)
        self.max_pieces = max_pieces or max(sum(p.n_copies for p in job.pieces), 1)
        self._shapes: dict[str, PreparedShape] = {}
        self._orients: dict[tuple[str, bool, str], list[_Orientation]] = {}
        self._centroids: dict[str, np.ndarray] = {}
        self._empty: dict[str, CollisionEngine] = {}

    def new_bin(self, hide: Hide, copy: int) -> HideBin:
        """An empty hide copy (the hide's static hazards are built once and shared)."""
        empty = self._empty.get(hide.id)
        if empty is None:
            empty = self._empty[hide.id] = CollisionEngine.for_hide(
                hide, gap_mm=self.job.gap_mm, margin_mm=self.job.margin_mm,
                max_pieces=self.max_pieces)
        return HideBin(hide, copy, empty.copy())

    def shape(self, piece: Piece) -> PreparedShape:
        """The piece prepared with the job's gap and margin (cached)."""
        s = self._shapes.get(piece.id)
        if s is None:
            s = self._shapes[piece.id] = prepare(piece, self.job.gap_mm, self.job.margin_mm)
        return s

    def orientations(self, c: PieceCopy, hide: Hide) -> list[_Orientation]:
        """Allowed (rotation, mirror) pairs of a copy on a hide, with their bounding boxes."""
        out = []
        for m in c.mirrors:
            key = (c.piece.id, m, hide.id)
            if key not in self._orients:
                found = []
                for a in allowed_rotations(c.piece, self.cfg, hide, m):
                    pts = place_points(c.piece.outline.outer, a, m, 0.0, 0.0)
                    lo, hi = pts.min(axis=0), pts.max(axis=0)
                    found.append(_Orientation(a, m, (lo[0], lo[1], hi[0], hi[1])))
                self._orients[key] = found
            out += self._orients[key]
        return out

    # -- one copy --------------------------------------------------------------------------------

    def _samples(self, b: HideBin, o: _Orientation, pad: float) -> np.ndarray:
        hx0, hy0, hx1, hy1 = b.hide.outline.bbox
        bx0, by0, bx1, by1 = o.bbox
        xlo, xhi = hx0 + pad - bx0, hx1 - pad - bx1
        ylo, yhi = hy0 + pad - by0, hy1 - pad - by1
        if xhi < xlo or yhi < ylo:
            return np.empty((0, 4))
        gx, gy = np.meshgrid(np.linspace(xlo, xhi, GRID), np.linspace(ylo, yhi, GRID))
        rx = self.rng.uniform(xlo, xhi, RANDOM_SAMPLES)
        ry = self.rng.uniform(ylo, yhi, RANDOM_SAMPLES)
        xs = np.concatenate([gx.ravel(), rx])
        ys = np.concatenate([gy.ravel(), ry])
        out = np.empty((len(xs), 4))
        out[:, 0] = o.rotation_deg
        out[:, 1] = 1.0 if o.mirrored else 0.0
        out[:, 2] = xs
        out[:, 3] = ys
        return out

    @staticmethod
    def _key(o: _Orientation, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x + o.bbox[2]) + Y_WEIGHT * (y + o.bbox[3])

    def _slide(self, b: HideBin, shape: PreparedShape, o: _Orientation, x: float,
               y: float) -> tuple[float, float]:
        """Pattern search towards the lower left, accepting feasible positions only."""
        size = max(o.bbox[2] - o.bbox[0], o.bbox[3] - o.bbox[1])
        step = 0.25 * size
        dirs = np.array([[-1.0, 0.0], [0.0, -1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
        probe = np.empty((len(dirs), 4))
        probe[:, 0] = o.rotation_deg
        probe[:, 1] = 1.0 if o.mirrored else 0.0
        while step > SLIDE_MIN_REL * size:
            probe[:, 2] = x + step * dirs[:, 0]
            probe[:, 3] = y + step * dirs[:, 1]
            ok = b.engine.batch_feasible(shape, probe)
            keys = np.where(ok, self._key(o, probe[:, 2], probe[:, 3]), np.inf)
            i = int(np.argmin(keys))
            if ok[i] and keys[i] < self._key(o, np.array([x]), np.array([y]))[0]:
                x, y = float(probe[i, 2]), float(probe[i, 3])
            else:
                step *= 0.5
        return x, y

    def place_copy(self, b: HideBin, c: PieceCopy) -> Placement | None:
        """Put one copy on the hide copy at its best feasible position, or return None."""
        shape = self.shape(c.piece)
        pad = self.job.margin_mm
        best: tuple[float, _Orientation, float, float] | None = None
        for o in self.orientations(c, b.hide):
            samples = self._samples(b, o, pad)
            if not len(samples):
                continue
            ok = b.engine.batch_feasible(shape, samples)
            if not ok.any():
                continue
            keys = np.where(ok, self._key(o, samples[:, 2], samples[:, 3]), np.inf)
            i = int(np.argmin(keys))
            x, y = self._slide(b, shape, o, float(samples[i, 2]), float(samples[i, 3]))
            k = float(self._key(o, np.array([x]), np.array([y]))[0])
            if not self._grain_ok(c.piece, o, b.hide, x, y):
                continue
            if best is None or k < best[0]:
                best = (k, o, x, y)
        if best is None:
            return None
        _k, o, x, y = best
        key = b.free_key()
        b.engine.add(key, shape, o.rotation_deg, o.mirrored, x, y)
        pl = Placement(c.piece.id, c.copy, b.hide.id, o.rotation_deg, o.mirrored, x, y, b.copy)
        b.placements[key] = pl
        b.area += c.piece.area
        return pl

    def _grain_ok(self, piece: Piece, o: _Orientation, hide: Hide, x: float, y: float) -> bool:
        """Grain against the backbone segment nearest to the placed piece (as the validator).

        Orientations were chosen to align the grain with some backbone segment; only a bent
        backbone needs the check, at the piece's true centroid (where the validator measures).
        """
        if piece.grain is None or hide.backbone is None or len(hide.backbone) < 3:
            return True
        local = self._centroids.get(piece.id)
        if local is None:
            from leathernest.geometry.shapes import outline_polygon

            c = outline_polygon(piece.outline).centroid
            local = self._centroids[piece.id] = np.array([[c.x, c.y]])
        cx, cy = place_points(local, o.rotation_deg, o.mirrored, x, y)[0]
        from shapely.geometry import Point

        target = backbone_direction_deg(hide, Point(cx, cy))
        target += 90.0 if piece.grain.across else 0.0
        got = placed_direction_deg(piece.grain.direction_deg, o.rotation_deg, o.mirrored)
        d = abs(got - target) % 180.0
        return min(d, 180.0 - d) <= piece.grain.tolerance_deg - 1e-9

    # -- units -----------------------------------------------------------------------------------

    def place_unit(self, b: HideBin, unit: list[PieceCopy]) -> bool:
        """Place every copy of a unit on the hide copy, or none of them."""
        done: list[int] = []
        for c in unit:
            before = set(b.placements)
            if self.place_copy(b, c) is None:
                for key in done:
                    self.remove(b, key)
                return False
            done += [k for k in b.placements if k not in before]
        return True

    def remove(self, b: HideBin, key: int) -> Placement:
        """Take a placed copy off the hide copy."""
        pl = b.placements.pop(key)
        b.engine.remove(key)
        b.area -= self.job.piece(pl.piece_id).area
        b.next_key = min(b.next_key, key)
        return pl

