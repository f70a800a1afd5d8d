"""The hide problem layer: a complete layout first, then fewer, smaller or cheaper hides.

Overlap minimisation on the same core as strips does the improving.

The hide copies a job may use lie side by side on one sheet (one engine, one tracker, one
separator; :mod:`leathernest.collision.hazards`); a hide copy is *open* (in play) or *closed* (its
closure hazard blocks everything). The run:

1. **Construct** a complete layout fast: units (a copy, a left/right pair, a same-hide group;
   :mod:`leathernest.search.units`) in order go to the fullest open hide copy that takes them
   (:func:`leathernest.search.construct.place_copy`, exact), else a new copy is opened (largest
   usable area first, or cheapest per m² for ``min_cost``); a piece is only left out when no copy
   in stock can take it.
2. **Improve** until the time or work is spent, the way Sparrow shrinks a strip (Gardeyn, Vanden
   Berghe and Wauters, arXiv 2509.13329; hide removal as jagua-rs's bin-packing layer removes a
   bin, and the overlap minimisation of Egeblad, Nielsen and Odgaard 2007 and Imamichi, Yagiura
   and Nagamochi 2009):

   - *eliminate*: close the emptiest open copy; its pieces go where they overlap least on the
     open copies; the separator moves every colliding piece (within a hide, and single copies
     between hides) until nothing overlaps: one hide fewer. On failure the layout is restored and
     another copy is tried;
   - *swap*: replace an open copy by a closed one with less leather (or a lower price for
     ``min_cost``), the same way: less leather consumed for the same hides.

   Grades, defects, grain (within its tolerance, following each hide's backbone), pairs and
   same-hide groups stay hard constraints throughout: they are hazards and orientation rows of the
   core, and units of several copies never cross hides on their own.

The score (smaller is better): mandatory pieces missing, then hides used (or their cost for
``min_cost``), then leather consumed (the usable area of the hides used: smaller hides win), then
leather placed. ``max_area`` / ``max_value`` fill the stock with the most area or value, trying
every leftover unit again by insertion and separation. The exact validator
(:mod:`leathernest.validate`) judges the result in :func:`leathernest.nest.nest`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import numpy as np

from leathernest._version import __version__
from leathernest.collision.engine import CollisionEngine
from leathernest.config import HidesConfig
from leathernest.geometry.shapes import usable_region
from leathernest.model import (
    Hide,
    HideLayout,
    Job,
    Objective,
    Placement,
    Solution,
    Unplaced,
    UnplacedReason,
    hide_cost,
    zone_blocks,
)
from leathernest.search.construct import HIDE_Y_WEIGHT, place_copy
from leathernest.search.items import build_items, move_params
from leathernest.search.kernels import sample as ks
from leathernest.search.kernels.rng import seeded
from leathernest.search.kernels.separate import engine_args
from leathernest.search.layout import Layout, LayoutSnapshot
from leathernest.search.parallel import nest_parallel
from leathernest.search.separate import Separator
from leathernest.search.stop import Listener, Progress, StopToken, no_listener
from leathernest.search.units import cost_per_area, hide_order

log = logging.getLogger("leathernest.hides")


def _no_sync(_search: object) -> None:
    """The single-worker hook: nothing to share."""


DEFAULT_HIDES_CONFIG = HidesConfig()
MIN_DROP_SHARE = 0.25  # share of attempts still spent on one hide fewer after many failures
POOL_SIZE = 8  # infeasible layouts kept for the exploration at a hide count (Sparrow keeps a pool)
LARGE_SHARE = 0.75  # pieces making up this share of the area count as large for a disruption


def sheet_containers(job: Job, cfg: HidesConfig) -> list[tuple[Hide, int]]:
    """The hide copies on the sheet, in the order they are opened: (hide, copy index)."""
    need = sum(p.area * p.n_copies for p in job.pieces if not p.optional)
    need = max(need, sum(p.area * p.n_copies for p in job.pieces))
    out: list[tuple[Hide, int]] = []
    for h in hide_order(job):
        usable = max(usable_region(h).area, 1e-9)
        cap = min(h.stock, math.ceil(need / (usable * cfg.min_fill)) + 1)
        out += [(h, c) for c in range(cap)]
    return out[: cfg.max_containers]


class HideSearch:
    """One hide search on one core: the sheet, the layout, the best complete layout."""

    def __init__(self, job: Job, cfg: HidesConfig, seed: int, stop: StopToken,
                 listener: Listener = no_listener) -> None:
        self.job, self.cfg, self.stop, self.listener = job, cfg, stop, listener
        self.t0 = (time.monotonic(), time.process_time())  # the first layout is timed from here
        self.rng = np.random.default_rng(seed)
        self.krng = seeded(seed)
        self.slots = sheet_containers(job, cfg)
        hides = [h for h, _c in self.slots]
        n = sum(p.n_copies for p in job.pieces)
        eng = CollisionEngine.for_sheet(hides, gap_mm=job.gap_mm, margin_mm=job.margin_mm,
                                        edge_margin_mm=job.edge_margin,
                                        defect_margin_mm=job.defect_margin, max_pieces=max(n, 1),
                                        simplify=(cfg.geometry.hide_vertices,
                                                  cfg.geometry.hide_rel))
        self.items = build_items(job, eng, None, cfg.move, None, cfg.geometry)
        self.layout = Layout(self.items, eng, list(hides))
        self.separator = Separator(self.layout, cfg.separator, self.krng)
        for c in range(len(self.slots)):
            self.layout.set_closed(c, True)
        self.usable = np.array([usable_region(h).area for h in hides])
        self.cost = np.array([hide_cost(h) or 0.0 for h in hides])
        self.impossible: set[tuple[int, str]] = set()  # (unit, hide id) that fit no empty copy
        self.leftover: list[int] = []  # units not placed
        self.untried: set[int] = set()  # units the first fill did not reach before the deadline
        self.best: LayoutSnapshot | None = None
        self.best_score: tuple = ()
        self.best_leftover: list[int] = []
        self.best_strategy = ""
        self.history: list[tuple[float, int, float]] = []
        self.phase_best: dict[str, dict] = {}
        self.ins_params = np.array([move_params(cfg.insert, float(self.items.min_dims[k]))
                                    for k in range(self.items.n)]).reshape(self.items.n, -1)
        self.t_first: tuple[float, float] | None = None  # (wall, cpu) s to the first layout
        self.pool: list[tuple[float, LayoutSnapshot]] = []  # infeasible layouts one hide fewer
        self.pool_of: LayoutSnapshot | None = None  # the best layout the pool was made from
        self.swap_pool: list[tuple[float, LayoutSnapshot]] = []  # the same for a failed swap
        self.swap_pool_of: LayoutSnapshot | None = None
        self.sync: Callable[[HideSearch], None] = _no_sync  # workers share bests (parallel.py)

    # -- scoring ----------------------------------------------------------------------------------

    def open_used(self) -> list[int]:
        """Open containers holding at least one copy."""
        lay = self.layout
        used = {lay.container_of(k) for k in lay.live_keys().tolist()}
        return sorted(c for c in used if c >= 0)

    def score(self, leftover: list[int]) -> tuple:
        """Smaller is better; see the module docstring."""
        it = self.items
        missing = sum(len(it.units[u]) for u in leftover if not it.pieces[it.units[u][0]].optional)
        used = self.open_used()
        placed = float(sum(it.pieces[k].worth for k in self.layout.live_keys().tolist()))
        leather = float(self.usable[used].sum()) if used else 0.0
        if self.job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE):
            return (-placed, leather)
        by = float(self.cost[used].sum()) if self.job.objective is Objective.MIN_COST else len(used)
        return (missing, by, leather, -placed)

    def offer(self, strategy: str) -> bool:
        """Keep the current (feasible) layout if it beats the best; True when it does."""
        sc = self.score(self.leftover)
        used = self.open_used()
        area = float(self.items.areas[self.layout.live != 0].sum())
        util = area / float(self.usable[used].sum()) if used else 0.0
        mine = self.phase_best.get(strategy)
        if mine is None or sc < tuple(mine["score"]):
            self.phase_best[strategy] = {"score": list(sc), "hides": len(used),
                                         "utilisation": round(util, 4),
                                         "at_s": round(self.stop.elapsed_s, 2)}
        if self.best is not None and not sc < self.best_score:
            return False
        self.best = self.layout.save()
        self.best_score = sc
        self.best_leftover = list(self.leftover)
        self.best_strategy = strategy
        placed = int(self.layout.live.sum())
        self.history.append((round(self.stop.elapsed_s, 3), len(used), round(util, 4)))
        self.listener(Progress(self.stop.elapsed_s, placed, self.items.n, hides_used=len(used),
                               utilisation=util, phase=strategy, work=self.stop.work))
        log.debug("[%s] %d hides, utilisation %.4f", strategy, len(used), util)
        return True

    def lower_bound(self) -> int:
        """Hides no layout can go below.

        The fewest copies, largest first, whose usable area holds the mandatory pieces.
        """
        it = self.items
        need = sum(float(it.areas[k]) for k in range(it.n) if not it.pieces[k].optional)
        count, total = 0, 0.0
        for a in sorted(self.usable.tolist(), reverse=True):
            if total >= need:
                break
            total += a
            count += 1
        return max(1, count)

    # -- construction -----------------------------------------------------------------------------

    def _try_unit(self, u: int, c: int, samples: int | None = None) -> bool:
        """Place every copy of unit u on container c at free places, or none of them.

        The first fill uses the bottom-left lattice (tight); with ``samples`` (a closed hide's
        pieces looking for gaps) uniform samples, which find gaps anywhere, not only low left.
        """
        lay = self.layout
        box = lay.engine.static.container_box[c]
        done = []
        for k in self.items.units[u]:
            row = place_copy(lay, k, box, HIDE_Y_WEIGHT, self.krng, self.stop,
                             samples or self.cfg.construct_samples, lattice=samples is None)
            if row is None:
                for d in done:
                    lay.take(d)
                return False
            lay.put(k, row)
            done.append(k)
        return True

    def _fits_grade(self, u: int, c: int) -> bool:
        """Whether container c has enough leather of the unit's grades for its area (a bound)."""
        hide = self.slots[c][0]
        it = self.items
        need = sum(float(it.areas[k]) for k in it.units[u])
        if need > self.usable[c]:
            return False
        grades = {it.pieces[k].min_grade for k in it.units[u]}
        blocked = sum(z.outline.area for z in hide.zones if z.grade > 0
                      and any(zone_blocks(z.grade, g) for g in grades))
        return need <= self.usable[c] - blocked + 1e-6 * self.usable[c]

    def construct(self, stop: StopToken) -> None:
        """The first complete layout (module docstring, step 1).

        It runs to the end whatever the work budget (a search must start from a complete layout,
        and its cost depends on the job only), and stops early only on an interrupt or the
        wall-clock deadline: the units not reached then are reported as ``time_limit``. A unit
        type that did not fit a hide copy is not tried on it again until that copy changes (the
        first fill only adds pieces), which keeps long orders of repeated pieces fast.
        """
        lay = self.layout
        fill = np.zeros(len(self.slots))
        count = np.zeros(len(self.slots), dtype=np.int64)
        failed: dict[tuple, int] = {}  # (unit signature, copy) -> pieces on it when it failed
        for u, unit in enumerate(self.items.units):
            if stop.interrupted or stop.remaining_s <= 0.0:
                self.leftover.append(u)
                self.untried.add(u)
                continue
            sig = tuple(int(self.items.piece_of[k]) for k in unit)
            area = float(sum(self.items.areas[k] for k in unit))
            opened = [c for c in range(len(self.slots)) if not lay.engine.is_closed(c)]
            placed = False
            for c in sorted(opened, key=lambda c: -fill[c] / self.usable[c]):
                if fill[c] + area > self.usable[c] or failed.get((sig, c)) == count[c]:
                    continue
                if self._try_unit(u, c):
                    fill[c] += area
                    count[c] += len(unit)
                    placed = True
                    break
                failed[(sig, c)] = int(count[c])
            if not placed:
                rest = float(sum(self.items.areas[k] for v in self.items.units[u:] for k in v))
                for c in self._opening_order(rest):
                    hid = self.slots[c][0].id
                    if (not lay.engine.is_closed(c) or (u, hid) in self.impossible
                            or not self._fits_grade(u, c)):
                        continue
                    lay.set_closed(c, False)
                    if self._try_unit(u, c):
                        fill[c] += area
                        count[c] += len(unit)
                        placed = True
                        break
                    lay.set_closed(c, True)
                    self.impossible.add((u, hid))
            if not placed:
                self.leftover.append(u)
        self.offer("construct")

    def _opening_order(self, rest: float) -> list[int]:
        """Hide copies in the order the first layout tries to open them, for ``rest`` mm² to go.

        The slot order (largest or cheapest first), except that the smallest (for ``min_cost``
        the cheapest) closed copy that would take the rest at ``last_hide_fill`` comes first: a
        best fit for the last hide.
        """
        order = list(range(len(self.slots)))
        closed = [c for c in order if self.layout.engine.is_closed(c)]
        fits = [c for c in closed if rest <= self.cfg.last_hide_fill * self.usable[c]]
        if not fits or self.job.objective not in (Objective.MIN_HIDES, Objective.MIN_COST):
            return order
        # what a copy is worth to the objective: its price for min_cost, else its leather
        worth = self.cost if self.job.objective is Objective.MIN_COST else self.usable
        last = min(fits, key=lambda c: (worth[c], self.usable[c], c))
        if worth[last] < worth[closed[0]]:  # never dearer or larger than the slot order's pick
            order.remove(last)
            order.insert(0, last)
        return order

    # -- insertion and separation -----------------------------------------------------------------

    def insert_copy(self, k: int, allowed: np.ndarray, near: np.ndarray | None) -> bool:
        """Put copy k where it overlaps least: on the allowed containers, or near a row."""
        lay = self.layout
        it = self.items
        ctx = list(lay.ctx)
        ctx[1] = np.where(allowed, 0, 1).astype(np.uint8)  # sampling only; masks unchanged
        out = np.zeros(6)
        before = int(lay.work[0])
        ea = engine_args(k, it.kernel_shapes, lay.eng, lay.tracker.w_ext[k], lay.tracker.w_pair[k])
        has_cur = near is not None
        cur = near if has_cur else np.zeros(6)
        v = ks.search_position(ea, *it.hull(k), it.kernel_rows(k), cur, has_cur, True,
                               self.ins_params[k], tuple(ctx), self.krng, out, lay.work)
        self.stop.charge(int(lay.work[0]) - before)
        if not math.isfinite(v):
            return False
        lay.put(k, out)
        return True

    def insert_unit(self, u: int, allowed: np.ndarray) -> bool:
        """Insert every copy of unit u at least overlap, all on one container."""
        lay = self.layout
        keys = self.items.units[u]
        if not self.insert_copy(keys[0], allowed, None):
            return False
        c = lay.container_of(keys[0])
        only = np.zeros_like(allowed)
        if c >= 0:
            only[c] = True
        return all(self.insert_copy(k, only if c >= 0 else allowed, None) for k in keys[1:])

    def separate(self, stop: StopToken) -> bool:
        """Resolve every overlap on the open containers (True: feasible)."""
        self.layout.tracker.reset_weights()
        return self.separator.separate(stop)

    def _open_mask(self) -> np.ndarray:
        return np.array([not self.layout.engine.is_closed(c) for c in range(len(self.slots))])

    def move_out(self, victim: int, into: int | None) -> bool:
        """Close victim (opening into, if given), re-insert its copies, separate; True if feasible.

        On failure the caller restores the snapshot it took.
        """
        lay = self.layout
        keys = lay.on(victim).tolist()
        units = sorted({int(self.items.unit_of[k]) for k in keys},
                       key=lambda u: -sum(self.items.areas[k] for k in self.items.units[u]))
        for k in keys:
            lay.take(k)
        lay.set_closed(victim, True)
        if into is not None:
            lay.set_closed(into, False)
        allowed = self._open_mask()
        open_ = sorted(np.flatnonzero(allowed).tolist(),
                       key=lambda c: -float(self.items.areas[lay.on(c)].sum()) / self.usable[c])
        for u in units:
            if self.stop.stopped():
                return False
            # a free place first (exact, as the first fill found them), fullest hide first ...
            if any(self._try_unit(u, c, self.cfg.insert_samples) for c in open_):
                continue
            # ... else where it overlaps least, for the separator to repair
            if not self.insert_unit(u, allowed):
                return False
        return self.separate(self.stop)

    # -- improvement ------------------------------------------------------------------------------

    def eliminate(self, tried: set[int]) -> bool:
        """Empty the emptiest open copy not yet tried into the others (one attempt).

        A failed attempt's least-overlapping layout is kept (``self.pool``): the next rounds
        continue from it with a disruption (:meth:`explore_round`) instead of starting over, as
        Sparrow's exploration keeps its infeasible layouts.
        """
        lay = self.layout
        used = self.open_used()
        cands = [c for c in used if c not in tried]
        if len(used) <= 1 or not cands:
            return False
        fill = {c: float(self.items.areas[lay.on(c)].sum()) / self.usable[c] for c in cands}
        if self.job.objective is Objective.MIN_COST:
            fill = {c: float(self.items.areas[lay.on(c)].sum()) / max(self.cost[c], 1e-9)
                    for c in cands}
        victim = min(cands, key=lambda c: (fill[c], c))
        tried.add(victim)
        snap = lay.save()
        if self.move_out(victim, None):
            return self.offer("eliminate")
        self.pool = [(lay.total_loss(), lay.save())]
        self.pool_of = self.best
        lay.restore(snap)
        return False

    def explore_round(self, swap: bool = False) -> bool:
        """One more try at what the last failed elimination (or swap) aimed for.

        A layout from that pool (the better ones more likely) gets two large pieces swapped (a
        disruption, Sparrow's ``disrupt_solution``) and is separated again; a success is one hide
        fewer (or less leather), a failure joins the pool.
        """
        lay = self.layout
        pool = self.swap_pool if swap else self.pool
        pool.sort(key=lambda t: t[0])
        pick = min(int(abs(self.rng.normal(0.0, 0.25)) * len(pool)), len(pool) - 1)
        lay.restore(pool[pick][1])
        self.disrupt()
        lay.rebuild_tracker()
        if self.separate(self.stop):
            pool.clear()
            return self.offer("swap" if swap else "eliminate")
        pool.append((lay.total_loss(), lay.save()))
        if len(pool) > POOL_SIZE:
            pool.sort(key=lambda t: t[0])
            del pool[POOL_SIZE:]
        return False

    def disrupt(self) -> None:
        """Swap the places of two large single copies (from any open hides)."""
        lay = self.layout
        keys = np.array([k for k in lay.live_keys().tolist() if self.items.cross[k]])
        if len(keys) < 2:
            return
        area = self.items.areas[keys]
        order = np.argsort(-area, kind="stable")
        cum = np.cumsum(area[order])
        cut = int(np.searchsorted(cum, LARGE_SHARE * cum[-1])) + 1
        large = keys[order[: max(cut, 2)]]
        a = int(self.rng.choice(large))
        b = int(self.rng.choice([k for k in large.tolist() if k != a]))
        pa, pb = lay.place[a, 2:4].copy(), lay.place[b, 2:4].copy()
        if lay.relocate(a, *pb) and not lay.relocate(b, *pa):
            lay.relocate(a, *pa)  # b may not turn that way there: undo a

    def swap(self) -> bool:
        """Replace an open copy by a closed one with less leather (or cheaper): one attempt.

        A used copy is drawn (the largest half the time); the replacement is drawn among the
        closed copies that are better (cheaper for ``min_cost``, then smaller) and can hold its
        pieces' area, the nearest in size most likely: small steps succeed more often and add up.
        """
        lay = self.layout
        used = self.open_used()
        if not used:
            return False
        cost_mode = self.job.objective is Objective.MIN_COST
        closed = [c for c in range(len(self.slots)) if lay.engine.is_closed(c)]
        # half the time the largest used copy (the most leather to save), else any
        if float(self.rng.random()) < 0.5:
            a = max(used, key=lambda c: (self.cost[c], self.usable[c], -c))
        else:
            a = used[int(self.rng.integers(len(used)))]
        need = float(self.items.areas[lay.on(a)].sum())

        def better(b: int) -> bool:
            if cost_mode and self.cost[b] != self.cost[a]:
                return bool(self.cost[b] < self.cost[a])
            return bool(self.usable[b] < self.usable[a])

        cands = sorted((b for b in closed if self.usable[b] > need and better(b)),
                       key=lambda b: (-self.usable[b], b))
        if not cands:
            return False
        if self.swap_pool and self.swap_pool_of is self.best and float(self.rng.random()) < 0.5:
            return self.explore_round(swap=True)  # continue the last failed swap
        b = cands[min(int(abs(self.rng.normal(0.0, 0.5)) * len(cands)), len(cands) - 1)]
        snap = lay.save()
        if self.move_out(a, b):
            return self.offer("swap")
        self.swap_pool = [(lay.total_loss(), lay.save())]
        self.swap_pool_of = self.best
        lay.restore(snap)
        return False

    def refill(self) -> bool:
        """Try the leftover units again, each by insertion and separation (knapsack)."""
        improved = False
        lay = self.layout
        for u in sorted(self.leftover, key=lambda u: -sum(
                self.items.pieces[k].worth for k in self.items.units[u])):
            if self.stop.stopped():
                break
            snap = lay.save()
            if self.insert_unit(u, self._open_mask()) and self.separate(self.stop):
                self.leftover.remove(u)
                improved = self.offer("refill") or improved
            else:
                lay.restore(snap)
        return improved

    def improve(self) -> None:
        """Step 2 of the module docstring until the stop token fires.

        Eliminations and swaps alternate (an elimination saves a hide, a swap saves leather);
        each failed attempt leaves the best layout as it was, and the next attempt draws anew.
        The loop ends early only when no attempt is possible at all.
        """
        fill_only = self.job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE)
        tried: set[int] = set()
        stale = 0
        turn = 0
        level, fails = -1, 0  # hide count of the best layout, failed attempts to go below it
        while not self.stop.stopped():
            self.sync(self)
            assert self.best is not None
            self.layout.restore(self.best)
            self.leftover = list(self.best_leftover)
            tried_any = False
            if self.leftover and self._open_mask().any():
                tried_any = True
                if self.refill():
                    stale = 0
                    continue
                stale += 1
            if fill_only:
                if stale > 2 or not tried_any:
                    return
                continue
            turn += 1
            n_used = len(self.open_used())
            if n_used != level:
                level, fails = n_used, 0
            can_drop = n_used > self.lower_bound() or self.job.objective is Objective.MIN_COST
            # one hide fewer is worth the most, but after repeated failures at this count the
            # time goes mostly to swaps (smaller or cheaper hides at the same count)
            p_drop = max(MIN_DROP_SHARE, 1.0 / (1.0 + fails / 4.0))
            if can_drop and float(self.rng.random()) < p_drop:
                tried_any = True
                fails += 1
                if self.pool and self.pool_of is self.best:
                    if self.explore_round():
                        tried.clear()
                    continue
                if len(tried) < n_used and self.eliminate(tried):
                    tried.clear()
                    continue
            else:
                before = self.stop.work
                if self.swap():
                    tried.clear()
                    self.pool = []
                    continue
                tried_any = tried_any or self.stop.work > before
            if len(tried) >= len(self.open_used()):
                tried.clear()  # every copy tried: start over (the random streams differ)
            if not tried_any and not can_drop and not self._swappable():
                return

    def _swappable(self) -> bool:
        """Whether some used copy has a better closed copy that could hold its pieces."""
        lay = self.layout
        closed = [c for c in range(len(self.slots)) if lay.engine.is_closed(c)]
        for a in self.open_used():
            need = float(self.items.areas[lay.on(a)].sum())
            for b in closed:
                smaller = self.usable[b] < self.usable[a]
                cheaper = self.cost[b] < self.cost[a]
                if self.usable[b] > need and (smaller or cheaper):
                    return True
        return False

    # -- sharing between workers -----------------------------------------------------------------

    def best_key(self) -> tuple:
        """Smaller is better (see :meth:`score`)."""
        return self.best_score

    def payload(self) -> tuple:
        """What another worker needs to take over the best layout."""
        assert self.best is not None
        return (self.best.place.copy(), self.best.live.copy(), self.best.closed.copy(),
                list(self.best_leftover), self.best_strategy)

    def adopt(self, payload: tuple) -> None:
        """Take over another worker's best layout (and continue from it)."""
        place, live, closed, leftover, strategy = payload
        lay = self.layout
        for k in lay.live_keys().tolist():
            lay.take(k)
        for c in range(len(self.slots)):
            lay.set_closed(c, bool(closed[c]))
        for k in np.flatnonzero(live).tolist():
            lay.put(k, place[k], track=False)
        lay.rebuild_tracker()
        self.leftover = list(leftover)
        self.best = None
        self.offer(strategy)

    def run(self) -> None:
        """Construct, then improve until the time or work is spent."""
        self.construct(self.stop)
        self.t_first = (time.monotonic() - self.t0[0], time.process_time() - self.t0[1])
        if self.layout.tracked:
            self.improve()

    # -- result -----------------------------------------------------------------------------------

    def reason(self, u: int) -> UnplacedReason:
        """Why unit u is not in the best layout."""
        it = self.items
        keys = it.units[u]
        area = float(sum(it.areas[k] for k in keys))
        # a same-hide group that no hide holds together, though its pieces fit one by one
        if (len(keys) > 1 and any(it.pieces[k].group is not None for k in keys)
                and max(float(it.areas[k]) for k in keys) <= float(self.usable.max())):
            return UnplacedReason.GROUP
        if area > float(self.usable.max()):
            return UnplacedReason.TOO_LARGE
        if not any(self._fits_grade(u, c) for c in range(len(self.slots))):
            return UnplacedReason.NO_USABLE_GRADE
        if all((u, h.id) in self.impossible for h, _c in self.slots):
            # It fits no empty hide, though some hide has enough leather of its grade by area:
            # that leather lies in parts too small or too narrow for it (the zones it may not
            # use cut it up), or, without such zones, the piece fits no hide at all.
            grades = {it.pieces[k].min_grade for k in keys}
            zoned = any(z.grade > 0 and zone_blocks(z.grade, g) for h, _c in self.slots
                        for z in h.zones for g in grades)
            return UnplacedReason.NO_ROOM_ON_GRADE if zoned else UnplacedReason.TOO_LARGE
        if u in self.untried:
            return UnplacedReason.TIME_LIMIT
        return UnplacedReason.NO_ROOM

    def solution(self, seed: int, elapsed_s: float) -> Solution:
        """The best layout as a Solution (hide coordinates, job frames, copies renumbered)."""
        assert self.best is not None
        lay = self.layout
        lay.restore(self.best)
        it = self.items
        st = lay.engine.static
        by_c: dict[int, list[int]] = {}
        for k in lay.live_keys().tolist():
            by_c.setdefault(lay.container_of(k), []).append(k)
        layouts = []
        copy_no: dict[str, int] = {}
        for c in sorted(by_c, key=lambda c: (self.slots[c][0].id, self.slots[c][1])):
            hide = self.slots[c][0]
            n_copy = copy_no.get(hide.id, 0)
            copy_no[hide.id] = n_copy + 1
            dx, dy = st.offsets[c]
            pls = []
            for k in sorted(by_c[c]):
                r, m, x, y = (float(v) for v in lay.place[k, :4])
                tx, ty = it.to_piece_frame(k, r, m != 0.0, x - dx, y - dy)
                pls.append(Placement(it.pieces[k].id, it.copies[k], hide.id, r % 360.0, m != 0.0,
                                     tx, ty, n_copy))
            layouts.append(HideLayout(hide.id, tuple(pls), n_copy))
        unplaced = tuple(Unplaced(it.pieces[k].id, it.copies[k], self.reason(u))
                         for u in self.best_leftover for k in it.units[u])
        return Solution(
            self.job.name, "hides", tuple(layouts), unplaced, seed=seed, elapsed_s=elapsed_s,
            version=__version__, engine="hides",
            config={"hides_strategy": self.best_strategy,
                    "hides_phases": self.phase_best, "history": self.history,
                    "work": {"evaluations": int(self.stop.work),
                             "moves": self.separator.moves,
                             "iterations": self.separator.iterations},
                    "first_layout_s": {"wall": round(self.t_first[0], 3),
                                       "cpu": round(self.t_first[1], 3)} if self.t_first else None,
                    "sheet": [[h.id, c] for h, c in self.slots]},
        )


def nest_hides(job: Job, stop: StopToken | None = None, listener: Listener = no_listener,
               seed: int | None = None, workers: int = 1,
               cfg: HidesConfig = DEFAULT_HIDES_CONFIG) -> Solution:
    """Nest a hide job (see the module docstring) and return the best solution found."""
    stop = stop or StopToken(job.time_limit_s)
    seed = job.seed if seed is None else seed
    t0 = time.monotonic()
    if workers > 1:
        return nest_parallel(job, stop, listener, seed, workers, cfg)
    search = HideSearch(job, cfg, seed, stop, listener)
    search.run()
    return search.solution(seed, time.monotonic() - t0)


__all__ = ["DEFAULT_HIDES_CONFIG", "HideSearch", "HidesConfig", "cost_per_area", "nest_hides"]
