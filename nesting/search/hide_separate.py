"""Insertion by separation on one hide copy: put units where they do not fit, then push apart.

The bottom-left packer of :mod:`leathernest.search.hide_pack` only accepts feasible positions, so
a unit is refused whenever the free leather is there but in the wrong places. Sparrow (Gardeyn,
Vanden Berghe and Wauters, arXiv 2509.13329) inserts the way its exploration phase does: each new
copy goes to its position of least overlap (sampled over the hide with ``batch_loss``), and then
an overlap-minimisation separator (Algorithm 9, moves of Algorithm 5 with the position search of
Algorithm 6, guided-local-search weights of Algorithm 8) moves *every* colliding piece on the hide
copy, old and new, until the total overlap is zero or the budget runs out. The same overlap
minimisation with growing penalties is Egeblad, Nielsen and Odgaard (2007) and Imamichi, Yagiura
and Nagamochi (2009).

What differs from the strip separator (:mod:`leathernest.search.separate`):

- the loss tracker keeps one exterior loss *per static hazard* (hide border, holes, each zone), so
  that GLS weights grow on the defect a piece keeps sitting on, not on "the exterior" as a whole;
- pieces are addressed by engine key (``HideBin.placements``), so pair weights are stored per key;
- a grain piece moves only among the packer's finite, grain-aligned angles for this hide; a piece
  without grain may take any angle its rotation rule allows (ranges refined by the coordinate
  descent's angle wiggle; ``HideSeparateConfig.continuous``), which on baldacci2 turned a failed
  insertion into a success where the 16 sampled angles were not enough;
- the result is checked exactly (``CollisionEngine.feasible`` for every piece) and, on a bent
  backbone, grain is checked at each piece's centroid as the validator does; any failure means
  "not separated", and the hide copy is restored exactly.

Plain Python over the engine's batch kernels and :func:`leathernest.search.kernels.search_position`
(one kernel call per move); no numba of its own. Imports numpy, the engine and the search modules.
"""

from __future__ import annotations

import logging
import math
import weakref
from dataclasses import dataclass, field

import numpy as np
import shapely

from leathernest.collision.prepare import PreparedShape
from leathernest.config import ANGLE_TOL_DEG
from leathernest.model import Piece, Placement
from leathernest.search import kernels as sk
from leathernest.search.baseline import PieceCopy
from leathernest.search.hide_pack import HideBin, HidePacker, _Orientation
from leathernest.search.separate import SeparatorConfig
from leathernest.search.state import orientation_rows, prepare_piece
from leathernest.search.stop import StopToken

log = logging.getLogger("nesting.hide_separate")

INSERT_GRID = 24  # grid positions per axis for the first (least-overlap) position of a new copy
INSERT_RANDOM = 384  # extra uniform samples per orientation for that first position
IMPROVE_FRAC = 0.98  # an attempt that does not beat the best overlap by 2 % is a strike (Sparrow)


@dataclass(frozen=True)
class HideSeparateConfig:
    """Limits and sampling of an insertion by separation.

    The sample counts are Sparrow's per-move defaults (50 over the container, 25 around the
    piece, 3 refined): a hide copy holds fewer pieces than a strip, so each move can afford more.
    """

    iter_no_improve: int = 50  # iterations without a new lowest overlap before a strike
    strikes: int = 3  # strikes before giving up
    continuous: bool = True  # pieces without grain may take any allowed angle, not 16 samples
    # poles per piece for the overlap proxy during the separation (max count, area coverage,
    # smallest radius relative to the first; see state.prepare_piece); None: the packer's shapes
    poles: tuple[int, float, float] | None = None
    move: SeparatorConfig = field(
        default_factory=lambda: SeparatorConfig(n_container=50, n_focus=25, n_refine=3))


DEFAULT_HIDE_SEPARATE_CONFIG = HideSeparateConfig()


@dataclass
class _Item:
    """One copy on the hide copy during a separation."""

    key: int
    copy: PieceCopy
    shape: PreparedShape
    starts: list[_Orientation]  # the packer's orientations, sampled for a first position
    rows: np.ndarray  # float64[m, 3] (lo_deg, hi_deg, mirrored): what moves may use
    hull: np.ndarray  # float64[2, h] convex hull of the stock-inflated outline
    params: np.ndarray  # float64[sk.N_PARAMS]
    new: bool


class _HideTracker:
    """Pair and per-static-hazard overlap of the items, with GLS weights (Algorithm 8).

    ``pair`` float64[n, n] (item index), ``ext`` float64[n, S] (static hazard h at column h).
    The kernels index pair weights by engine key, so ``w_key`` float64[n, max_pieces] mirrors
    ``w_pair`` into key columns after every weight update.
    """

    def __init__(self, keys: list[int], n_static: int, max_pieces: int) -> None:
        n = len(keys)
        self.keys = np.array(keys, dtype=np.int64)
        self.index = {k: i for i, k in enumerate(keys)}
        self.pair = np.zeros((n, n))
        self.ext = np.zeros((n, n_static))
        self.w_pair = np.ones((n, n))
        self.w_ext = np.ones((n, n_static))
        self.w_key = np.ones((n, max_pieces))

    def update(self, b: HideBin, i: int) -> None:
        """Recompute what item i hits (after it moved)."""
        self.pair[i, :] = 0.0
        self.pair[:, i] = 0.0
        self.ext[i, :] = 0.0
        ov = b.engine.collisions_of(int(self.keys[i]))
        for hid, v in zip(ov.ids.tolist(), ov.values.tolist(), strict=True):
            if hid >= 0:
                j = self.index.get(hid)
                if j is not None:
                    self.pair[i, j] = self.pair[j, i] = v
            else:
                self.ext[i, -1 - hid] += v

    def rebuild(self, b: HideBin) -> None:
        """Recompute every loss."""
        for i in range(len(self.keys)):
            self.update(b, i)

    def loss_of(self, i: int) -> float:
        """Unweighted loss of item i."""
        return float(self.ext[i].sum() + self.pair[i].sum())

    def colliding(self) -> np.ndarray:
        """Items with a positive loss."""
        return np.flatnonzero((self.ext > 0.0).any(axis=1) | (self.pair > 0.0).any(axis=1))

    def total(self) -> float:
        """Total unweighted loss (each pair once)."""
        return float(self.ext.sum() + 0.5 * self.pair.sum())

    def update_weights(self) -> None:
        """Grow the weights of colliding pairs (1.2 to 2.0 by severity), decay the others."""
        from leathernest.search.tracker import GLS_DECAY, GLS_MAX_INC, GLS_MIN_INC

        worst = max(float(self.pair.max(initial=0.0)), float(self.ext.max(initial=0.0)))
        span = GLS_MAX_INC - GLS_MIN_INC
        for loss, w in ((self.pair, self.w_pair), (self.ext, self.w_ext)):
            if worst <= 0.0:
                w *= GLS_DECAY
            else:
                w *= np.where(loss > 0.0, GLS_MIN_INC + span * (loss / worst), GLS_DECAY)
            np.maximum(w, 1.0, out=w)
        self.w_key[:, self.keys] = self.w_pair

    def save(self) -> tuple[np.ndarray, np.ndarray]:
        """Copy of the losses (weights are kept on restore, as Sparrow's)."""
        return self.pair.copy(), self.ext.copy()

    def restore(self, snap: tuple[np.ndarray, np.ndarray]) -> None:
        """Back to saved losses."""
        self.pair[:] = snap[0]
        self.ext[:] = snap[1]


def _hull(shape: PreparedShape) -> np.ndarray:
    h = shapely.convex_hull(shape.for_stock.polygon)
    return np.ascontiguousarray(np.asarray(h.exterior.coords)[:-1].T, dtype=np.float64)


# per packer (weakly, so the cache goes with it): (piece id, poles) -> richer prepared shape
_RICH: weakref.WeakKeyDictionary[HidePacker, dict[tuple, PreparedShape]] = (
    weakref.WeakKeyDictionary())


def _rich_shape(packer: HidePacker, b: HideBin, piece: Piece, poles: tuple[int, float, float]
                ) -> PreparedShape:
    """The piece with more poles for a finer overlap proxy (collision answers are unchanged)."""
    cache = _RICH.setdefault(packer, {})
    key = (piece.id, poles)
    s = cache.get(key)
    if s is None:
        s = cache[key] = prepare_piece(b.engine, piece, poles)
    return s


def _same_angle(a: float, b: float) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) <= ANGLE_TOL_DEG


def _item(packer: HidePacker, b: HideBin, key: int, c: PieceCopy, new: bool,
          cfg: HideSeparateConfig) -> _Item:
    """An item with its allowed orientations.

    A piece with grain keeps the packer's finite list (grain-aligned angles for this hide's
    backbone). Without grain and with ``cfg.continuous``, moves may take any angle the piece's
    rotation rule allows (:func:`leathernest.search.state.orientation_rows`: free rotation and
    ranges become ranges, refined by the coordinate descent's angle "wiggle").
    """
    starts = list(packer.orientations(c, b.hide))
    if cfg.continuous and c.piece.grain is None:
        rows = orientation_rows(c.piece, c.mirrors)
    else:
        rows = np.array([(o.rotation_deg, o.rotation_deg, 1.0 if o.mirrored else 0.0)
                         for o in starts], dtype=np.float64).reshape(-1, 3)
    shape = packer.shape(c.piece)
    if cfg.poles is not None:
        shape = _rich_shape(packer, b, c.piece, cfg.poles)
    x0, y0, x1, y1 = c.piece.outline.bbox
    return _Item(key, c, shape, starts, np.ascontiguousarray(rows), _hull(shape),
                 cfg.move.params(min(x1 - x0, y1 - y0)), new)


def _row_of(it: _Item, rotation_deg: float, mirrored: bool) -> int:
    """The orientation row holding a placement's angle; a fixed row is added if none does.

    A piece already on the hide was placed at an allowed angle, which may still lie just outside
    the inset ranges; it then keeps exactly that angle.
    """
    m = 1.0 if mirrored else 0.0
    for j, (lo, hi, mir) in enumerate(it.rows.tolist()):
        if mir != m:
            continue
        if lo == hi and _same_angle(lo, rotation_deg):
            return j
        if lo < hi and any(lo <= rotation_deg + t <= hi for t in (-720.0, -360.0, 0.0, 360.0)):
            return j
    it.rows = np.ascontiguousarray(np.vstack([it.rows, [[rotation_deg, rotation_deg, m]]]))
    return len(it.rows) - 1


def _first_position(packer: HidePacker, b: HideBin, it: _Item,
                    rng: np.random.Generator) -> np.ndarray | None:
    """Least-overlap placement row (rot, mirrored, x, y, orientation row) of a new copy."""
    hx0, hy0, hx1, hy1 = b.engine.static.box
    best: tuple[float, np.ndarray] | None = None
    for o in it.starts:
        bx0, by0, bx1, by1 = o.bbox
        xlo, xhi = hx0 - bx0, hx1 - bx1
        ylo, yhi = hy0 - by0, hy1 - by1
        if xhi < xlo or yhi < ylo:
            continue  # the orientation's bbox is larger than the usable box
        gx, gy = np.meshgrid(np.linspace(xlo, xhi, INSERT_GRID), np.linspace(ylo, yhi, INSERT_GRID))
        xs = np.concatenate([gx.ravel(), rng.uniform(xlo, xhi, INSERT_RANDOM)])
        ys = np.concatenate([gy.ravel(), rng.uniform(ylo, yhi, INSERT_RANDOM)])
        smp = np.empty((len(xs), 4))
        smp[:, 0] = o.rotation_deg
        smp[:, 1] = 1.0 if o.mirrored else 0.0
        smp[:, 2] = xs
        smp[:, 3] = ys
        ub = math.inf if best is None else best[0]
        i, out = b.engine.batch_loss(it.shape, smp, upper_bound=ub)
        if i >= 0 and (best is None or out[i] < best[0]):
            best = (float(out[i]), smp[i].copy())
    if best is None:
        return None
    row = _row_of(it, float(best[1][0]), bool(best[1][1] != 0.0))
    return np.array([*best[1], float(row)])


class _Separation:
    """The items on one hide copy, their placement rows and the tracker."""

    def __init__(self, b: HideBin, items: list[_Item], rng: np.random.Generator) -> None:
        self.b = b
        self.items = items
        self.rng = rng
        eng = b.engine
        self.tracker = _HideTracker([it.key for it in items], eng.static.n_hazards,
                                    eng.max_pieces)
        self.place = np.zeros((len(items), 5))
        for i, it in enumerate(items):
            _s, r, m, x, y = eng.placement(it.key)
            self.place[i] = (r, 1.0 if m else 0.0, x, y, _row_of(it, r, m))
        self.kstate = np.array([rng.integers(1, 2**63 - 1)], dtype=np.uint64)
        self.out = np.zeros(5)
        self.tracker.rebuild(b)

    def _engine_args(self, i: int) -> tuple:
        it = self.items[i]
        return self.b.engine.kernel_args(it.shape, it.key, self.tracker.w_ext[i],
                                         self.tracker.w_key[i])

    def move(self, i: int) -> None:
        """Move item i to the best position found for its weighted overlap."""
        it = self.items[i]
        v = sk.search_position(self._engine_args(i), it.hull, it.rows, self.place[i],
                               self.b.engine.static.box, it.params, self.kstate, self.out)
        if math.isfinite(v):
            self.place[i] = self.out
            r, m, x, y = (float(self.out[0]), bool(self.out[1] != 0.0), float(self.out[2]),
                          float(self.out[3]))
            self.b.engine.move(it.key, r, m, x, y)
            self.tracker.update(self.b, i)

    def save(self) -> tuple:
        return self.b.engine.save(), self.place.copy(), self.tracker.save()

    def restore(self, snap: tuple) -> None:
        self.b.engine.restore(snap[0])
        self.place[:] = snap[1]
        self.tracker.restore(snap[2])

    def separate(self, cfg: HideSeparateConfig, stop: StopToken, budget_iters: int) -> bool:
        """Algorithm 9 (strikes, rollback to the least overlap); True at zero overlap."""
        tr = self.tracker
        best_loss = tr.total()
        if best_loss == 0.0:
            return True
        best = self.save()
        iters = strikes = 0
        while strikes < cfg.strikes and iters < budget_iters and not stop.stopped():
            start_loss, no_improve = best_loss, 0
            while no_improve < cfg.iter_no_improve and iters < budget_iters:
                if stop.stopped():
                    break
                cands = tr.colliding()
                self.rng.shuffle(cands)
                for i in cands.tolist():
                    if tr.loss_of(i) > 0.0:
                        self.move(i)
                iters += 1
                loss = tr.total()
                if loss == 0.0:
                    return True
                if loss < best_loss:
                    no_improve = 0 if loss < IMPROVE_FRAC * best_loss else no_improve + 1
                    best_loss = loss
                    best = self.save()
                else:
                    no_improve += 1
                tr.update_weights()
            strikes = strikes + 1 if best_loss >= IMPROVE_FRAC * start_loss else 0
            log.debug("[HSEP] iteration %d: best overlap %.6g, strikes %d", iters, best_loss,
                      strikes)
            self.restore(best)
        return False


def _reshape(b: HideBin, key: int, shape: PreparedShape) -> None:
    """Register a placed key with another prepared shape of the same piece, where it stands."""
    old, r, m, x, y = b.engine.placement(key)
    if old is not shape:
        b.engine.remove(key)
        b.engine.add(key, shape, r, m, x, y)


def _free_keys(b: HideBin, n: int) -> list[int] | None:
    used = set(b.placements)
    out = [k for k in range(b.engine.max_pieces) if k not in used][:n]
    return out if len(out) == n else None


def _exact_ok(packer: HidePacker, b: HideBin, sep: _Separation) -> bool:
    """Exact collision test of every piece, then grain at its centroid (as the validator)."""
    for i, it in enumerate(sep.items):
        r, m, x, y = (float(sep.place[i, 0]), bool(sep.place[i, 1] != 0.0), float(sep.place[i, 2]),
                      float(sep.place[i, 3]))
        if not b.engine.feasible(it.shape, r, m, x, y, ignore=it.key):
            return False
        if not packer._grain_ok(it.copy.piece, _Orientation(r, m, (0.0, 0.0, 0.0, 0.0)), b.hide,
                                x, y):
            return False
    return True


def insert_by_separation(packer: HidePacker, b: HideBin, units: list[list[PieceCopy]],
                         stop: StopToken, rng: np.random.Generator, budget_iters: int = 400,
                         cfg: HideSeparateConfig = DEFAULT_HIDE_SEPARATE_CONFIG) -> bool:
    """Put every copy of the units on hide copy b, moving the pieces already there if needed.

    Each new copy starts at its least-overlap position; then the separator moves colliding
    pieces (old and new, each within its own allowed orientations) until nothing overlaps.
    budget_iters caps separator iterations (one iteration moves every colliding piece once);
    stop is polled between moves' iterations.

    Returns True with ``b.placements`` and ``b.area`` updated (new copies under new keys, moved
    pieces with their new placements), or False with the engine and b exactly as they were.
    """
    snap = b.engine.save()
    saved = (dict(b.placements), b.area, b.next_key)
    new_copies = [c for u in units for c in u]
    keys = _free_keys(b, len(new_copies))
    if keys is None:
        return False
    items: list[_Item] = []
    for key, pl in sorted(b.placements.items()):
        piece = packer.job.piece(pl.piece_id)
        forced = piece.mirrored_copy(pl.copy)
        c = PieceCopy(piece, pl.copy, (False, True) if forced is None else (forced,))
        it = _item(packer, b, key, c, False, cfg)
        _reshape(b, key, it.shape)
        items.append(it)
    ok = True
    for key, c in zip(keys, new_copies, strict=True):
        it = _item(packer, b, key, c, True, cfg)
        row = _first_position(packer, b, it, rng)
        if row is None:
            ok = False
            break
        b.engine.add(key, it.shape, float(row[0]), bool(row[1] != 0.0), float(row[2]),
                     float(row[3]))
        items.append(it)
    if ok:
        sep = _Separation(b, items, rng)
        ok = sep.separate(cfg, stop, budget_iters) and _exact_ok(packer, b, sep)
    if not ok:
        b.engine.restore(snap)
        b.placements, b.area, b.next_key = saved
        return False
    for i, it in enumerate(items):
        r, m, x, y = (float(sep.place[i, 0]), bool(sep.place[i, 1] != 0.0),
                      float(sep.place[i, 2]), float(sep.place[i, 3]))
        _reshape(b, it.key, packer.shape(it.copy.piece))  # the packer's shape again
        b.placements[it.key] = Placement(it.copy.piece.id, it.copy.copy, b.hide.id, r, m, x, y,
                                         b.copy)
        if it.new:
            b.area += it.copy.piece.area
    return True
