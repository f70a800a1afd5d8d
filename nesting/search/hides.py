"""The hide problem layer: what the optimiser tightens on hides, and how a layout scores.

The hide copies a job may use lie side by side on one sheet (:mod:`leathernest.search.hide_sheet`)
and the one optimiser loop (:mod:`leathernest.search.optimise`) improves a layout of them by
overlap minimisation, as Sparrow shrinks a strip (Gardeyn, Vanden Berghe and Wauters, arXiv
2509.13329; hide removal as jagua-rs's bin-packing layer removes a bin; the overlap minimisation
of Egeblad, Nielsen and Odgaard 2007 and Imamichi, Yagiura and Nagamochi 2009):

1. **Start**: a complete first layout (:mod:`leathernest.search.hide_construct`).
2. **Tighten** (one target at a time, each given up after ``patience`` failed separations):

   - *refill*: a unit left out goes back in where it overlaps least;
   - *compress*: a hide's wall, across its axis, moves in by a step; the pieces beyond the middle
     of what is left move with it, into the overlap the separator resolves. Pieces end packed
     from one end, the butt, where the best leather is (the trade's rule), and the leather left
     over is one piece at the other end;
   - *eliminate*: the emptiest hide is closed, its pieces go where they overlap least on the
     others (walls open: the free leather the compression left is where they fit): one hide
     fewer;
   - *merge*: two used hides are replaced by one larger closed copy that could hold both (the
     first layout may have opened two small hides for an order one large hide takes);
   - *swap*: a hide is replaced by a smaller (or, for ``min_cost``, cheaper) closed copy.

   Each round tries refills, merges and eliminations first, then swaps (``swap_first``), then
   compressions (a hide once given up steps more finely the next time); a success that changes
   the hides in play starts the round again.
3. **Compress** (the last ``compress_share``): small wall steps on the used hides.

Grades, defects, grain (within its tolerance, following each hide's backbone), pairs and
same-hide groups stay hard constraints throughout: they are hazards and orientation rows of the
core, and units of several copies never cross hides on their own.

The score (smaller is better): mandatory pieces missing, then hides used (or their cost for
``min_cost``), then leather consumed (the usable area of the hides used: smaller hides win), then
leather placed, then how far the pieces reach along each used hide (compactness).
``max_area`` / ``max_value`` fill the stock with the most area or value. The exact validator
(:mod:`leathernest.validate`) judges the result in :func:`leathernest.nest.nest`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections import deque
from typing import NamedTuple

import numpy as np
import shapely

from leathernest._version import __version__
from leathernest.collision.engine import CollisionEngine
from leathernest.config import HidesConfig, SeparatorConfig
from leathernest.geometry.shapes import usable_region, zone_region
from leathernest.model import (
    HideLayout,
    Job,
    Objective,
    Placement,
    Solution,
    Unplaced,
    UnplacedReason,
    zone_blocks,
)
from leathernest.search.hide_construct import Placer, construct
from leathernest.search.hide_sheet import HideSheet, sheet_containers
from leathernest.search.items import build_items, move_params
from leathernest.search.kernels import sample as ks
from leathernest.search.kernels.rng import seeded
from leathernest.search.layout import Layout, LayoutSnapshot
from leathernest.search.optimise import Phase, large_keys
from leathernest.search.stop import Listener, Progress, StopToken, no_listener

log = logging.getLogger("leathernest.hides")

DEFAULT_HIDES_CONFIG = HidesConfig()
REFILL, COMPRESS, ELIMINATE, MERGE, SWAP = "refill", "compress", "eliminate", "merge", "swap"
MAX_FAILED_TARGETS = 64  # failed targets the solution lists (the last ones; for diagnosis)


class Target(NamedTuple):
    """What the current tightening aims at: a move and its container(s) or unit."""

    kind: str
    a: int  # the hide copy compressed, closed or swapped out; the unit refilled
    b: int = -1  # the copy swapped (or, for a merge, opened) in
    c: int = -1  # a merge's second copy closed


def host_quality(job: Job, sheet: HideSheet) -> np.ndarray:
    """How well each copy could host the whole order, grade by grade (larger is better).

    For each minimum grade m the order asks for: the copy's leather a piece of grade m may lie
    on, over the area of the pieces that need leather at least that good; the smallest ratio.
    """
    grades = sorted({p.min_grade for p in job.pieces}, key=lambda g: (g is None, g or 0))
    demand = {}
    for m in grades:
        # pieces whose allowed leather lies within grade m's: grade m and stricter
        stricter = [p for p in job.pieces if p.min_grade is None
                    or (m is not None and p.min_grade >= m)]
        demand[m] = sum(p.area * p.n_copies for p in stricter)
    out = np.zeros(sheet.n)
    leather: dict[tuple[int, object], float] = {}
    for c, (hide, _copy) in enumerate(sheet.slots):
        ratios = []
        for m in grades:
            key = (id(hide), m)
            if key not in leather:
                blocked = [zone_region(z) for z in hide.zones if zone_blocks(z.grade, m)]
                region = usable_region(hide)
                leather[key] = (region.difference(shapely.union_all(blocked)).area if blocked
                                else region.area)
            ratios.append(leather[key] / max(demand[m], 1e-9))
        out[c] = min(ratios) if ratios else 0.0
    return out


class HideProblem:
    """Hides to use few and well: the sheet, the layout, its targets and the best layout."""

    def __init__(self, job: Job, cfg: HidesConfig, seed: int, stop: StopToken,
                 listener: Listener = no_listener) -> None:
        self.job, self.cfg, self.stop, self.listener = job, cfg, stop, listener
        self.t0 = (time.monotonic(), time.process_time())  # the first layout is timed from here
        self.rng = np.random.default_rng(seed)
        self.krng = seeded(seed)
        self.pool_size = cfg.pool_size
        self.pool_stddev = cfg.pool_stddev
        self.compress_share = cfg.compress_share
        self.patience = cfg.patience_compress
        slots = sheet_containers(job, cfg)
        hides = [h for h, _c in slots]
        n = sum(p.n_copies for p in job.pieces)
        eng = CollisionEngine.for_sheet(hides, gap_mm=job.gap_mm, margin_mm=job.margin_mm,
                                        edge_margin_mm=job.edge_margin,
                                        defect_margin_mm=job.defect_margin, max_pieces=max(n, 1),
                                        simplify=(cfg.geometry.hide_vertices,
                                                  cfg.geometry.hide_rel))
        self.sheet = HideSheet.build(slots, eng.static.offsets)
        self.items = build_items(job, eng, None, cfg.move, None, cfg.geometry)
        self.layout = Layout(self.items, eng, list(hides))
        for c in range(self.sheet.n):
            self.layout.set_closed(c, True)
            eng.set_wall(c, self.sheet.axis[c], math.inf)
        self.placer = Placer(job, cfg, self.layout, self.items, self.sheet, self.krng)
        self.untried: frozenset[int] = frozenset()  # units the first fill never reached
        self.ins_params = np.array([move_params(cfg.insert, float(self.items.min_dims[k]),
                                                float(self.items.sizes[k]))
                                    for k in range(self.items.n)]).reshape(self.items.n, -1)
        self.best: LayoutSnapshot | None = None
        self.best_score: tuple = ()
        self.best_strategy = ""
        self.history: list[tuple[float, int, float]] = []
        self.phase_best: dict[str, dict] = {}
        self.t_first: tuple[float, float] | None = None  # (wall, cpu) s to the first layout
        # targets: the current one, and what was given up since the hides in play last changed
        self.target: Target | None = None
        self.succeeded = False
        self.step = np.full(self.sheet.n, cfg.explore_shrink)  # compression step per copy
        self.tight: set[int] = set()
        self.tried: set[Target] = set()
        self.moved: list[int] = []  # the units the current target moved
        # (kind, hosts, units) of the last targets given up
        self.failed: deque[tuple[str, tuple[int, ...], tuple[int, ...]]] = deque(
            maxlen=MAX_FAILED_TARGETS)
        self.round = 0  # times every target was given up: later rounds try each one longer
        self.host = host_quality(job, self.sheet)
        self.parity = seed % 2  # workers differ in the order they try eliminations in

    # -- layout facts -----------------------------------------------------------------------------

    def open_used(self) -> list[int]:
        """Open containers holding at least one copy."""
        lay = self.layout
        used = {lay.container_of(k) for k in lay.live_keys().tolist()}
        return sorted(c for c in used if c >= 0)

    def leftover(self) -> list[int]:
        """Units with no copy in play."""
        live = self.layout.live
        return [u for u, keys in enumerate(self.items.units) if not any(live[k] for k in keys)]

    def reach(self, c: int) -> float:
        """How far the pieces on container c reach along its axis (its span's low end if none)."""
        keys = self.layout.on(c)
        axis = self.sheet.axis[c]
        eng = self.layout.engine
        return max((eng.reach(int(k), axis) for k in keys), default=float(self.sheet.span[c, 0]))

    def lower_bound(self) -> int:
        """Hides no layout can go below.

        The fewest copies, largest first, whose usable area holds the mandatory pieces.
        """
        it = self.items
        need = sum(float(it.areas[k]) for k in range(it.n) if not it.pieces[k].optional)
        count, total = 0, 0.0
        for a in sorted(self.sheet.usable.tolist(), reverse=True):
            if total >= need:
                break
            total += a
            count += 1
        return max(1, count)

    def score(self) -> tuple:
        """Smaller is better; see the module docstring."""
        it = self.items
        missing = sum(len(it.units[u]) for u in self.leftover()
                      if not it.pieces[it.units[u][0]].optional)
        used = self.open_used()
        placed = float(sum(it.pieces[k].worth for k in self.layout.live_keys().tolist()))
        leather = float(self.sheet.usable[used].sum()) if used else 0.0
        span = self.sheet.span
        compact = sum((self.reach(c) - span[c, 0]) / max(span[c, 1] - span[c, 0], 1e-9)
                      for c in used)
        if self.job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE):
            return (-placed, leather, compact)
        by = (float(self.sheet.cost[used].sum()) if self.job.objective is Objective.MIN_COST
              else len(used))
        return (missing, by, leather, -placed, compact)

    # -- the optimiser's problem ------------------------------------------------------------------

    def start(self) -> bool:
        """The first complete layout; it becomes the best."""
        first = construct(self.placer, self.stop)
        self.untried = first.untried
        self.t_first = (time.monotonic() - self.t0[0], time.process_time() - self.t0[1])
        self.record(Phase.CONSTRUCT)
        return self.layout.tracked and self.items.n > 0

    def record(self, phase: Phase) -> bool:
        """Keep the current (feasible) layout if it beats the best; True when it does."""
        strategy = phase.value if self.target is None else f"{phase.value}:{self.target.kind}"
        if self.target is not None and self.target.kind != COMPRESS:
            self.tight.clear()  # the hides in play changed: every target is worth trying again
            self.tried.clear()
        self.succeeded = True
        sc = self.score()
        used = self.open_used()
        area = float(self.items.areas[self.layout.live != 0].sum())
        util = area / float(self.sheet.usable[used].sum()) if used else 0.0
        mine = self.phase_best.get(strategy)
        if mine is None or sc < tuple(mine["score"]):
            self.phase_best[strategy] = {"score": list(sc), "hides": len(used),
                                         "utilisation": round(util, 4),
                                         "at_s": round(self.stop.elapsed_s, 2)}
        if self.best is not None and not sc < self.best_score:
            return False
        self.best = self.layout.save()
        self.best_score = sc
        self.best_strategy = strategy
        placed = int(self.layout.live.sum())
        self.history.append((round(self.stop.elapsed_s, 3), len(used), round(util, 4)))
        self.listener(Progress(self.stop.elapsed_s, placed, self.items.n, hides_used=len(used),
                               utilisation=util, phase=strategy, work=self.stop.work))
        log.debug("[%s] %d hides, utilisation %.4f", strategy, len(used), util)
        return True

    def restore_best(self) -> None:
        """Back to the best layout."""
        assert self.best is not None
        self.layout.restore(self.best)

    def separator_config(self, phase: Phase) -> SeparatorConfig:
        """Exploring separations try longer than the final compression's small steps.

        Each round of targets doubles how much work an exploring separation may take (up to
        8x): quick tries of everything first, then longer ones.
        """
        if phase is Phase.COMPRESS:
            return self.cfg.compress_separator
        cfg = self.cfg.separator
        return dataclasses.replace(
            cfg, max_work_per_piece=cfg.max_work_per_piece * (1 << min(self.round, 3)))

    def tighten(self, phase: Phase, progress: float) -> bool:
        """The next target's move (module docstring, steps 2 and 3); False if none is left.

        Every tightening is charged as work (as many evaluations as it takes, roughly), so a
        run that stops on work ends even when the separations that follow cost nothing.
        """
        self.stop.charge(self.cfg.tighten_work)
        if phase is Phase.COMPRESS:
            used = self.open_used()
            if not used:
                return False
            c = used[int(self.rng.integers(len(used)))]
            lo, hi = self.cfg.compress_range
            self.target = Target(COMPRESS, c)
            self._sample_for(self.target)
            self._compress(c, lo + (hi - lo) * progress, random_split=True)
            return True
        keep = self.succeeded and self.target is not None and self.target.kind == COMPRESS
        self.succeeded = False
        target = self.target if keep else self._choose()
        if target is None:
            return False
        self.target = target
        self._sample_for(target)
        self.patience = {REFILL: self.cfg.patience_refill, COMPRESS: self.cfg.patience_compress,
                         ELIMINATE: self.cfg.patience_eliminate,
                         MERGE: self.cfg.patience_eliminate,
                         SWAP: self.cfg.patience_swap}[target.kind] << min(self.round, 3)
        if target.kind == COMPRESS:
            self._compress(target.a, float(self.step[target.a]), random_split=False)
        elif target.kind == ELIMINATE:
            self._move_out(target.a, None)
        elif target.kind == SWAP:
            self._move_out(target.a, target.b)
        elif target.kind == MERGE:
            self._move_out(target.a, target.b, also=target.c)
        elif not self._insert_unit(target.a, self._open_mask()):
            self.restore_best()  # no place is allowed to it anywhere: try something else
            self.give_up()
            return self.tighten(phase, progress)
        self.layout.rebuild_tracker()
        return True

    def give_up(self) -> None:
        """The current target failed ``patience`` times: it is not tried again this round.

        A hide's compression then steps more finely the next time.
        """
        t = self.target
        if t is None:
            return
        if t.kind == COMPRESS:
            self.tight.add(t.a)
            self.step[t.a] = max(0.5 * self.step[t.a], self.cfg.compress_range[1])
        else:
            self.tried.add(t)
            hosts = (t.b,) if t.kind in (SWAP, MERGE) else tuple(self.open_used())
            units = (t.a,) if t.kind == REFILL else tuple(self.moved)
            self.failed.append((t.kind, hosts, units))
        self.target = None

    def _choose(self, again: bool = True) -> Target | None:
        """The next target: refill, merge, eliminate, swap, compress (module docstring)."""
        open_mask = self._open_mask()
        it = self.items
        for u in sorted(self.leftover(), key=lambda u: -sum(it.pieces[k].worth
                                                             for k in it.units[u])):
            if open_mask.any() and Target(REFILL, u) not in self.tried:
                return Target(REFILL, u)
        used = self.open_used()
        fill_only = self.job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE)
        can_drop = len(used) > 1 and (len(used) > self.lower_bound()
                                      or self.job.objective is Objective.MIN_COST)
        if can_drop and not fill_only:
            merge = self._merge_target(used)
            if merge is not None:
                return merge  # first: when the larger copy takes both as they come, it is quick
            victims = [c for c in used if Target(ELIMINATE, c) not in self.tried]
            if victims:
                # the emptiest first, or (every other worker and round) the worst host of the
                # order's grades first: an order often fits the better hide where the gaps of a
                # full one take nothing more
                by_host = (self.parity + self.round) % 2 == 1
                return Target(ELIMINATE, min(victims, key=lambda c: (
                    self.host[c] if by_host else 0.0, self._fill(c), c)))
        loose = [c for c in used if c not in self.tight]
        if not fill_only and (self.cfg.swap_first or not loose):
            swap = self._swap_target(used)
            if swap is not None:
                return swap
        if loose:
            span = self.sheet.span
            return Target(COMPRESS, max(loose, key=lambda c: (
                (self.reach(c) - span[c, 0]) / max(span[c, 1] - span[c, 0], 1e-9), -c)))
        if again and (self.tight or self.tried):
            self.tight.clear()  # everything tried: start over (smaller steps, longer patience)
            self.tried.clear()
            self.round += 1
            return self._choose(again=False)
        return None

    def _fill(self, c: int) -> float:
        """How full copy c is: area placed per usable area (per price for ``min_cost``)."""
        area = float(self.items.areas[self.layout.on(c)].sum())
        if self.job.objective is Objective.MIN_COST:
            return area / max(float(self.sheet.cost[c]), 1e-9)
        return area / float(self.sheet.usable[c])

    def _merge_target(self, used: list[int]) -> Target | None:
        """The two emptiest used copies and the smallest closed copy that could hold both.

        "Could hold": their pieces' area within ``last_hide_fill`` of its usable leather, and its
        host quality for the order no worse than theirs (:func:`host_quality`).
        """
        if len(used) < 2:
            return None
        sheet = self.sheet
        a, c = sorted(used, key=lambda c: (self._fill(c), c))[:2]
        need = float(self.items.areas[np.concatenate([self.layout.on(a), self.layout.on(c)])]
                     .sum())
        closed = [b for b in range(sheet.n) if self.layout.engine.is_closed(b)
                  and need <= self.cfg.last_hide_fill * sheet.usable[b]
                  and self.host[b] >= min(self.host[a], self.host[c])]
        worth = sheet.cost if self.job.objective is Objective.MIN_COST else sheet.usable
        for b in sorted(closed, key=lambda b: (worth[b], b)):
            if Target(MERGE, a, b, c) not in self.tried:
                return Target(MERGE, a, b, c)
        return None

    def _swap_target(self, used: list[int]) -> Target | None:
        """A used copy and a better closed one that could take its pieces, not tried yet.

        The largest used copy half the time (the most leather to save), else any; the
        replacement among the better closed copies that can hold its pieces' area, the nearest in
        size most likely: small steps succeed more often and add up.
        """
        if not used:
            return None
        sheet = self.sheet
        cost_mode = self.job.objective is Objective.MIN_COST
        closed = [c for c in range(sheet.n) if self.layout.engine.is_closed(c)]
        if float(self.rng.random()) < 0.5:
            order = sorted(used, key=lambda c: (-sheet.cost[c], -sheet.usable[c], c))
        else:
            order = [used[int(i)] for i in self.rng.permutation(len(used))]
        for a in order:
            need = float(self.items.areas[self.layout.on(a)].sum())

            def better(b: int, a: int = a) -> bool:
                if cost_mode and sheet.cost[b] != sheet.cost[a]:
                    return bool(sheet.cost[b] < sheet.cost[a])
                return bool(sheet.usable[b] < sheet.usable[a])

            cands = sorted((b for b in closed if sheet.usable[b] > need and better(b)
                            and Target(SWAP, a, b) not in self.tried),
                           key=lambda b: (-sheet.usable[b], b))
            if cands:
                i = min(int(abs(self.rng.normal(0.0, 0.5)) * len(cands)), len(cands) - 1)
                return Target(SWAP, a, cands[i])
        return None

    # -- moves ------------------------------------------------------------------------------------

    def _open_mask(self) -> np.ndarray:
        return self.layout.engine.closed == 0

    def _sample_for(self, target: Target) -> None:
        """A compression moves pieces on its hide only; other moves may change hides."""
        only = None
        if target.kind == COMPRESS:
            only = np.zeros(self.sheet.n, dtype=bool)
            only[target.a] = True
        self.layout.sample_only(only)

    def _compress(self, c: int, step: float, random_split: bool) -> None:
        """Move copy c's wall in by step (a share of its length along the axis).

        The pieces whose centre lies beyond the split (the middle of what the pieces take, or a
        random point) move in with it, so the overlap falls inside the layout where the
        separator resolves it, as a strip's right part moves left when it shortens.
        """
        lay = self.layout
        axis = self.sheet.axis[c]
        lo, hi = self.sheet.span[c]
        reach = self.reach(c)
        limit = reach - step * (hi - lo)
        split = (float(self.rng.uniform(lo, reach)) if random_split
                 else lo + 0.5 * (reach - lo))
        delta = reach - limit
        for k in lay.on(c).tolist():
            x, y = float(lay.place[k, 2]), float(lay.place[k, 3])
            if axis[0] * x + axis[1] * y > split:
                lay.relocate(k, x - delta * axis[0], y - delta * axis[1])
        lay.engine.set_wall(c, axis, limit)
        lay.rebuild_tracker()

    def _open_walls(self) -> None:
        eng = self.layout.engine
        for c in range(self.sheet.n):
            eng.set_wall(c, self.sheet.axis[c], math.inf)

    def _move_out(self, victim: int, into: int | None, also: int = -1) -> None:
        """Close victim (and also, if given; opening into, if given) and re-place their units.

        Walls open first: the leather a compression freed is where the pieces fit. Each unit
        takes a free place if it finds one (exact: the bottom-left lattice on the copy opened,
        which is empty, else uniform samples on the fullest open copies first), else the place
        where it overlaps least, for the separator to repair.
        """
        lay = self.layout
        keys = lay.on(victim).tolist() + (lay.on(also).tolist() if also >= 0 else [])
        units = sorted({int(self.items.unit_of[k]) for k in keys})  # the first fill's order
        self.moved = units
        for k in keys:
            lay.take(k)
        for c in (victim, also):
            if c >= 0:
                lay.set_closed(c, True)
        if into is not None:
            lay.set_closed(into, False)
        self._open_walls()
        allowed = self._open_mask()
        open_ = sorted(np.flatnonzero(allowed).tolist(), key=lambda c: -self._fill(c))
        for u in units:
            if into is not None and self.placer.try_unit(u, into, self.stop):
                continue
            if any(self.placer.try_unit(u, c, self.stop, self.cfg.insert_samples)
                   for c in open_ if c != into):
                continue
            self._insert_unit(u, allowed)
        lay.rebuild_tracker()

    def _insert_copy(self, k: int, allowed: np.ndarray) -> bool:
        """Put copy k where it overlaps least on the allowed containers (insertion samples)."""
        lay = self.layout
        out = np.zeros(6)
        before = int(lay.work[0])
        v = ks.search_position(lay.arrays, k, out, False, lay.sheet_with(allowed),
                               self.ins_params[k], lay.tracker.w_ext[k], lay.tracker.w_pair[k],
                               self.krng, out)
        self.stop.charge(int(lay.work[0]) - before)
        if not math.isfinite(v):
            return False
        lay.put(k, out, track=False)
        return True

    def _insert_unit(self, u: int, allowed: np.ndarray) -> bool:
        """Insert every copy of unit u at least overlap, all on one container."""
        lay = self.layout
        keys = self.items.units[u]
        if not self._insert_copy(keys[0], allowed):
            return False
        c = lay.container_of(keys[0])
        only = np.zeros_like(allowed)
        if c >= 0:
            only[c] = True
        return all(self._insert_copy(k, only if c >= 0 else allowed) for k in keys[1:])

    def disrupt(self) -> None:
        """Swap the places of two large single copies (from any open hides)."""
        lay = self.layout
        keys = np.array([k for k in lay.live_keys().tolist() if self.items.cross[k]])
        if len(keys) < 2:
            return
        large = large_keys(keys, self.items.areas, self.cfg.large_item_share)
        a = int(self.rng.choice(large))
        b = int(self.rng.choice([k for k in large.tolist() if k != a]))
        pa, pb = lay.place[a, 2:4].copy(), lay.place[b, 2:4].copy()
        if lay.relocate(a, *pb) and not lay.relocate(b, *pa):
            lay.relocate(a, *pa)  # b may not turn that way there: undo a

    # -- sharing between workers ------------------------------------------------------------------

    def best_key(self) -> tuple:
        """Smaller is better (see :meth:`score`)."""
        return self.best_score

    def payload(self) -> tuple:
        """What another worker needs to take over the best layout."""
        assert self.best is not None
        return (self.best.place.copy(), self.best.live.copy(), self.best.closed.copy(),
                self.best.engine.walls.copy(), self.best_strategy)

    def adopt(self, payload: tuple) -> None:
        """Take over another worker's best layout as the best."""
        place, live, closed, walls, strategy = payload
        lay = self.layout
        for k in lay.live_keys().tolist():
            lay.take(k)
        for c in range(self.sheet.n):
            lay.set_closed(c, bool(closed[c]))
            lay.engine.set_wall(c, walls[c, :2], walls[c, 2])
        for k in np.flatnonzero(live).tolist():
            lay.put(k, place[k], track=False)
        lay.rebuild_tracker()
        self.best = None
        self.target = None
        self.record(Phase(strategy.split(":")[0]))
        self.best_strategy = strategy

    # -- result -----------------------------------------------------------------------------------

    def reason(self, u: int) -> UnplacedReason:
        """Why unit u is not in the best layout."""
        it, sheet = self.items, self.sheet
        keys = it.units[u]
        area = float(sum(it.areas[k] for k in keys))
        # a same-hide group that no hide holds together, though its pieces fit one by one
        if (len(keys) > 1 and any(it.pieces[k].group is not None for k in keys)
                and max(float(it.areas[k]) for k in keys) <= float(sheet.usable.max())):
            return UnplacedReason.GROUP
        if area > float(sheet.usable.max()):
            return UnplacedReason.TOO_LARGE
        if not any(self.placer.fits_grade(u, c) for c in range(sheet.n)):
            return UnplacedReason.NO_USABLE_GRADE
        if all((u, h.id) in self.placer.impossible for h, _c in sheet.slots):
            # It fits no empty hide, though some hide has enough leather of its grade by area:
            # that leather lies in parts too small or too narrow for it (the zones it may not
            # use cut it up), or, without such zones, the piece fits no hide at all.
            grades = {it.pieces[k].min_grade for k in keys}
            zoned = any(z.grade > 0 and zone_blocks(z.grade, g) for h, _c in sheet.slots
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
        it, sheet = self.items, self.sheet
        st = lay.engine.static
        by_c: dict[int, list[int]] = {}
        for k in lay.live_keys().tolist():
            by_c.setdefault(lay.container_of(k), []).append(k)
        layouts = []
        copy_no: dict[str, int] = {}
        numbered: dict[int, int] = {}  # container -> its copy number in the solution
        for c in sorted(by_c, key=lambda c: (sheet.slots[c][0].id, sheet.slots[c][1])):
            hide = sheet.slots[c][0]
            n_copy = copy_no.get(hide.id, 0)
            copy_no[hide.id] = n_copy + 1
            numbered[c] = n_copy
            dx, dy = st.offsets[c]
            pls = []
            for k in sorted(by_c[c]):
                r, m, x, y = (float(v) for v in lay.place[k, :4])
                tx, ty = it.to_piece_frame(k, r, m != 0.0, x - dx, y - dy)
                pls.append(Placement(it.pieces[k].id, it.copies[k], hide.id, r % 360.0, m != 0.0,
                                     tx, ty, n_copy))
            layouts.append(HideLayout(hide.id, tuple(pls), n_copy))
        unplaced = tuple(Unplaced(it.pieces[k].id, it.copies[k], self.reason(u))
                         for u in self.leftover() for k in it.units[u])
        return Solution(
            self.job.name, "hides", tuple(layouts), unplaced, seed=seed, elapsed_s=elapsed_s,
            version=__version__, engine="hides",
            config={"hides_strategy": self.best_strategy,
                    "hides_phases": self.phase_best, "history": self.history,
                    "first_layout_s": {"wall": round(self.t_first[0], 3),
                                       "cpu": round(self.t_first[1], 3)} if self.t_first else None,
                    "sheet": [[h.id, c] for h, c in sheet.slots],
                    "failed_targets": self._failed_targets(numbered)},
        )

    def _failed_targets(self, numbered: dict[int, int]) -> list[dict]:
        """The targets given up, per hide copy of the solution they tried to move pieces onto.

        For ``benchmarks/diagnose_layout.py``: ``{"kind", "hide", "copy", "units"}`` with the
        units' piece ids, one item per host copy the best layout uses (others are not in it);
        the last ``MAX_FAILED_TARGETS`` items, so that the file stays small on a large order.
        """
        it, out = self.items, []
        for kind, hosts, units in self.failed:
            pieces = [it.pieces[k].id for u in units for k in it.units[u]]
            out += [{"kind": kind, "hide": self.sheet.slots[c][0].id, "copy": numbered[c],
                     "units": pieces} for c in hosts if c in numbered]
        return out[-MAX_FAILED_TARGETS:]


__all__ = ["DEFAULT_HIDES_CONFIG", "HideProblem", "HidesConfig", "Target"]
