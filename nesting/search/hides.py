"""Hide nesting: which units go to which hide copy, packed with the Numba engine, then improved.

The phases share one time budget (``StopToken``) and each keeps the best solution so far (fewer
mandatory pieces missing, then fewer hides or lower cost, then more leather placed):

1. *sequential fill*: units (a copy, a left/right pair, or a same-hide group; demanding grades and
   large first) go to the first open hide copy they fit on, fullest first; a new copy is opened
   when none fits (largest hides first, or cheapest per m² for cost objectives);
2. *restarts*: the same with the unit order perturbed (a few random swaps), while they improve;
3. *assign, pack, repair*: the CP-SAT master (:mod:`leathernest.ordering.assign`) chooses which
   units go to which hide copy under area, grade-area and group constraints; each copy is packed
   in the master's placement order; a copy whose units do not all fit gets a no-good cut and a
   lower planned fill, and the master is solved again; leftovers go wherever they fit;
4. *hide elimination*: the emptiest hide copy of the best layout is emptied and its units are
   offered to the other copies, first by the packer, then by overlap minimisation
   (:func:`leathernest.search.hide_separate.insert_by_separation`: the unit is put where it
   overlaps least and every piece on that hide moves until nothing overlaps, after Sparrow's
   separator); a success saves a hide;
5. *downsize*: a hide copy's units are moved to a smaller unused hide copy, with the same two
   steps, which raises the utilisation of the hides used.

Which phase produced the layout is recorded in ``config["hides_strategy"]``; the benchmark table
in ``benchmarks/RESULTS.md`` says how often each wins. The engine packs; the exact validator
(:mod:`leathernest.validate`) judges the result in :func:`leathernest.nest.nest`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import shapely

from leathernest._version import __version__
from leathernest.model import (
    HideLayout,
    Job,
    Objective,
    Solution,
    Unplaced,
    UnplacedReason,
    zone_blocks,
)
from leathernest.ordering.assign import HideSlot, Unit, placement_order, solve_assignment
from leathernest.report import hide_cost, usable_region
from leathernest.search.baseline import PieceCopy, hide_order, make_units
from leathernest.search.hide_pack import HideBin, HidePacker
from leathernest.search.hide_separate import insert_by_separation
from leathernest.search.stop import Listener, Progress, StopToken, no_listener
from leathernest.geometry.shapes import zone_region

INITIAL_FILL = 0.85  # share of a hide's usable leather the master may plan to use at first
FILL_STEP = 0.9  # a hide copy that failed has its planned fill multiplied by this
SEQUENTIAL_SHARE = 0.25  # time for the sequential fill and its restarts
ASSIGN_SHARE = 0.2  # time for the CP-SAT strategy (the rest goes to the improvement passes)
SWAPS = 3  # random swaps of the unit order per restart
RESTARTS_IDLE = 4  # restarts stop after this many in a row that did not improve (time goes on)
SEPARATION_ITERS = 300  # separator iterations per insertion attempt (about 8 ms each on Baldacci)


@dataclass
class _Layout:
    """A candidate answer: filled hide copies, units left over, and where it came from."""

    bins: list[HideBin]
    units_on: dict[int, list[int]]  # id(bin) -> unit indices on it
    leftover: list[int]
    strategy: str
    score: tuple = field(default=())


def _unit(copies: list[PieceCopy]) -> Unit:
    grades = [c.piece.min_grade for c in copies]
    need = None if any(g is None for g in grades) else max(g for g in grades if g is not None)
    return Unit(tuple((c.piece, c.copy) for c in copies), sum(c.piece.area for c in copies),
                need, all(c.piece.optional for c in copies), sum(c.piece.worth for c in copies))


def _slots(job: Job, thresholds: set[int | None]) -> list[HideSlot]:
    out = []
    for h in job.hides:
        usable = usable_region(h)
        by_grade = []
        for g in thresholds:
            blocking = [zone_region(z) for z in h.zones if z.grade > 0 and zone_blocks(z.grade, g)]
            area = usable.difference(shapely.union_all(blocking)).area if blocking else usable.area
            by_grade.append((g, area))
        cost = hide_cost(h)
        out += [HideSlot(h, k, usable.area, tuple(by_grade), 1.0 if cost is None else cost)
                for k in range(h.stock)]
    return out


class _HideNester:
    """The phases of the module docstring over one job."""

    def __init__(self, job: Job, stop: StopToken, listener: Listener) -> None:
        self.job = job
        self.stop = stop
        self.listener = listener
        self.rng = np.random.default_rng(job.seed)
        self.packer = HidePacker(job, self.rng)
        self.copies = make_units(job)
        self.units = [_unit(cu) for cu in self.copies]
        self.slots = _slots(job, {u.min_grade for u in self.units})
        self.usable = {h.id: usable_region(h).area for h in job.hides}
        self.optional = {p.id for p in job.pieces if p.optional}
        self.demanded = sum(len(u.copies) for u in self.units)
        self.best: _Layout | None = None
        self.impossible: set[int] = set()  # units that fit on no empty hide at all
        self.phase_best: dict[str, tuple[tuple, dict]] = {}  # strategy -> (score, figures)

    # -- scoring ----------------------------------------------------------------------------------

    def score(self, lay: _Layout) -> tuple:
        """Smaller is better; see the module docstring."""
        missing = sum(len(self.units[u].copies) for u in lay.leftover
                      if not self.units[u].optional)
        placed = sum(self.units[u].value for us in lay.units_on.values() for u in us)
        used = [b for b in lay.bins if b.placements]
        cost = sum(hide_cost(b.hide) or 1.0 for b in used)
        by = cost if self.job.objective is Objective.MIN_COST else len(used)
        leather = sum(self.usable[b.hide.id] for b in used)  # less leather: higher utilisation
        if self.job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE):
            return (-placed, by, leather)
        return (missing, by, -placed, leather)

    def offer(self, lay: _Layout) -> None:
        """Keep the layout if it beats the best; remember each phase's best for the record."""
        lay.score = self.score(lay)
        mine = self.phase_best.get(lay.strategy)
        if mine is None or lay.score < mine[0]:
            used = [b for b in lay.bins if b.placements]
            usable = sum(self.usable[b.hide.id] for b in used)
            self.phase_best[lay.strategy] = (lay.score, {
                "hides": len(used),
                "utilisation": round(sum(b.area for b in used) / usable, 4) if usable else 0.0,
                "unplaced": sum(len(self.units[u].copies) for u in lay.leftover),
                "at_s": round(self.stop.elapsed_s, 2)})
        if self.best is None or lay.score < self.best.score:
            self.best = lay
            placed = self.demanded - sum(len(self.units[u].copies) for u in lay.leftover)
            used = [b for b in lay.bins if b.placements]
            area = sum(b.area for b in used)
            usable = sum(self.usable[b.hide.id] for b in used)
            self.listener(Progress(self.stop.elapsed_s, placed, self.demanded,
                                   hides_used=len(used),
                                   utilisation=area / usable if usable else 0.0,
                                   phase=lay.strategy))

    def lower_bound_reached(self) -> bool:
        """Whether the best layout cannot be beaten on hides (all placeable placed, bound met)."""
        if self.best is None or set(self.best.leftover) - self.impossible:
            return False
        if self.job.objective not in (Objective.MIN_HIDES, None):
            return False
        need = sum(u.area for i, u in enumerate(self.units) if i not in self.impossible)
        largest = max(self.usable.values())
        return len([b for b in self.best.bins if b.placements]) <= math.ceil(need / largest)

    # -- phase 1 and 2 ----------------------------------------------------------------------------

    def sequential(self, order: list[int], stop: StopToken, name: str) -> _Layout:
        bins: list[HideBin] = []
        units_on: dict[int, list[int]] = {}
        leftover: list[int] = []
        stock = {h.id: h.stock for h in self.job.hides}
        hides = hide_order(self.job)
        for u in order:
            if stop.stopped():
                leftover.append(u)
                continue
            placed = False
            for b in sorted(bins, key=lambda b: -b.area / self.usable[b.hide.id]):
                if self.packer.place_unit(b, self.copies[u]):
                    units_on[id(b)].append(u)
                    placed = True
                    break
            if not placed and u not in self.impossible:
                tried_all = True
                for h in hides:
                    if self.units[u].area > self.usable[h.id]:
                        continue
                    if stock[h.id] == 0:
                        tried_all = False
                        continue
                    b = self.packer.new_bin(h, h.stock - stock[h.id])
                    if self.packer.place_unit(b, self.copies[u]):
                        stock[h.id] -= 1
                        bins.append(b)
                        units_on[id(b)] = [u]
                        placed = True
                        break
                if not placed and tried_all and not stop.stopped():
                    self.impossible.add(u)
            if not placed:
                leftover.append(u)
        return _Layout(bins, units_on, leftover, name)

    def restarts(self, stop: StopToken) -> None:
        """Sequential fills in perturbed orders, until RESTARTS_IDLE of them bring nothing."""
        base = list(range(len(self.units)))
        idle = 0
        while not stop.stopped() and not self.lower_bound_reached() and idle < RESTARTS_IDLE:
            order = list(base)
            for _ in range(SWAPS):
                i, j = self.rng.integers(0, len(order), 2)
                order[i], order[j] = order[j], order[i]
            before = self.best
            lay = self.sequential(order, stop, "restart")
            if not stop.stopped() or not lay.leftover:
                self.offer(lay)
            idle = 0 if self.best is not before else idle + 1

    # -- phase 3 ----------------------------------------------------------------------------------

    def assign(self, stop: StopToken) -> _Layout | None:
        knapsack = self.job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE) or (
            sum(u.area for u in self.units if not u.optional) > sum(s.usable for s in self.slots))
        fill = dict.fromkeys(range(len(self.slots)), INITIAL_FILL)
        cuts: list[tuple[int, frozenset[int]]] = []
        lay: _Layout | None = None
        while not stop.stopped():
            budget = max(min(stop.remaining_s * 0.25, 10.0), 0.05)
            a = solve_assignment(self.units, self.slots, self.job.objective or Objective.MIN_HIDES,
                                 fill, cuts, budget, self.job.seed, knapsack)
            if a.status not in ("OPTIMAL", "FEASIBLE"):
                return lay
            bins, units_on, leftover, failed = [], {}, list(a.unassigned), False
            for s, members in sorted(a.by_slot.items()):
                if stop.stopped():
                    leftover += members
                    continue
                b = self.packer.new_bin(self.slots[s].hide, self.slots[s].copy)
                bins.append(b)
                units_on[id(b)] = []
                for u in placement_order(self.units, members):
                    if not stop.stopped() and self.packer.place_unit(b, self.copies[u]):
                        units_on[id(b)].append(u)
                    else:
                        leftover.append(u)
                        failed = True
                if len(units_on[id(b)]) < len(members):
                    cuts.append((s, frozenset(members)))
                    fill[s] *= FILL_STEP
            lay = _Layout(bins, units_on, leftover, "assign")
            if not failed:
                break
        if lay is not None:
            self._fill_leftovers(lay)
        return lay

    def _fill_leftovers(self, lay: _Layout) -> None:
        """Offer leftover units to every hide copy in use, then to unused copies."""
        used = {(b.hide.id, b.copy) for b in lay.bins}
        still = []
        for u in lay.leftover:
            if self.stop.stopped():
                still.append(u)
                continue
            target = next((b for b in lay.bins if self.packer.place_unit(b, self.copies[u])), None)
            if target is None:
                for slot in self.slots:
                    if (slot.hide.id, slot.copy) in used:
                        continue
                    b = self.packer.new_bin(slot.hide, slot.copy)
                    if self.packer.place_unit(b, self.copies[u]):
                        lay.bins.append(b)
                        lay.units_on[id(b)] = []
                        used.add((slot.hide.id, slot.copy))
                        target = b
                        break
            if target is None:
                still.append(u)
            else:
                lay.units_on[id(target)].append(u)
        lay.leftover = still

    # -- phase 4 ----------------------------------------------------------------------------------

    def _order(self, units: list[int], shuffle: bool) -> list[int]:
        """Largest units first, or a random order for later attempts."""
        if shuffle:
            return [units[i] for i in self.rng.permutation(len(units))]
        return sorted(units, key=lambda u: -self.units[u].area)

    def eliminate(self, stop: StopToken, shuffle: bool = False, separate: bool = False) -> bool:
        """Empty the emptiest hide copy of the best layout into the others, while it works."""
        assert self.best is not None
        tried: set[tuple[str, int]] = set()
        improved = False
        while not stop.stopped() and not self.lower_bound_reached():
            lay = self.best
            used = [b for b in lay.bins if b.placements]
            cands = [b for b in used if (b.hide.id, b.copy) not in tried]
            if len(used) < 2 or not cands:
                return improved
            victim = min(cands, key=lambda b: b.area / self.usable[b.hide.id])
            tried.add((victim.hide.id, victim.copy))
            others = [b for b in used if b is not victim]
            saved = [(b, b.engine.save(), dict(b.placements), b.area) for b in others]
            moved: dict[int, list[int]] = {id(b): [] for b in others}
            ok = True
            for u in self._order(lay.units_on[id(victim)], shuffle):
                target = next((b for b in sorted(others, key=lambda b: -b.area)
                               if self.packer.place_unit(b, self.copies[u])), None)
                if target is None and separate:  # make room: overlap minimisation moves pieces
                    target = next((b for b in sorted(others,
                                                     key=lambda b: b.area - self.usable[b.hide.id])
                                   if not stop.stopped() and insert_by_separation(
                                       self.packer, b, [self.copies[u]], stop, self.rng,
                                       budget_iters=SEPARATION_ITERS)), None)
                if target is None or stop.stopped():
                    ok = False
                    break
                moved[id(target)].append(u)
            if ok:
                units_on = {id(b): lay.units_on[id(b)] + moved[id(b)] for b in others}
                self.offer(_Layout(others, units_on, list(lay.leftover), "eliminate"))
                tried.clear()
                improved = True
            else:
                for b, snap, pls, area in saved:
                    b.engine.restore(snap)
                    b.placements = pls
                    b.area = area
                    b.next_key = 0
        return improved

    def downsize(self, stop: StopToken, shuffle: bool = False, separate: bool = False) -> bool:
        """Move the units of a hide copy onto a smaller unused hide copy, largest hides first."""
        improved = False
        assert self.best is not None
        for victim in sorted([b for b in self.best.bins if b.placements],
                             key=lambda b: -self.usable[b.hide.id]):
            if stop.stopped():
                return improved
            lay = self.best
            if not any(x is victim for x in lay.bins):
                continue
            in_use = {(b.hide.id, b.copy) for b in lay.bins if b.placements}
            units = lay.units_on[id(victim)]
            need = sum(self.units[u].area for u in units)
            smaller = sorted((s for s in self.slots
                              if (s.hide.id, s.copy) not in in_use and need < s.usable
                              and s.usable < self.usable[victim.hide.id]
                              and s.cost <= (hide_cost(victim.hide) or 1.0)),
                             key=lambda s: s.usable)
            for slot in smaller:
                if stop.stopped():
                    return improved
                b = self.packer.new_bin(slot.hide, slot.copy)
                order = self._order(units, shuffle)
                rest = [u for u in order
                        if stop.stopped() or not self.packer.place_unit(b, self.copies[u])]
                if not rest or (separate and not stop.stopped() and insert_by_separation(
                        self.packer, b, [self.copies[u] for u in rest], stop, self.rng,
                        budget_iters=SEPARATION_ITERS)):
                    bins = [b if x is victim else x for x in lay.bins]
                    units_on = {id(x): lay.units_on[id(x)] for x in lay.bins if x is not victim}
                    units_on[id(b)] = list(units)
                    self.offer(_Layout(bins, units_on, list(lay.leftover), "downsize"))
                    improved = True
                    break
        return improved

    # -- the whole run ----------------------------------------------------------------------------

    def run(self) -> _Layout:
        order = list(range(len(self.units)))  # make_units already sorts them
        first = self.sequential(order, self.stop, "sequential")
        self.offer(first)
        self.restarts(self.stop.sub(self.stop.remaining_s * SEQUENTIAL_SHARE))
        if not self.lower_bound_reached() and not self.stop.stopped():
            share = ASSIGN_SHARE / (1.0 - SEQUENTIAL_SHARE)
            lay = self.assign(self.stop.sub(self.stop.remaining_s * share))
            if lay is not None:
                self.offer(lay)
        # Improve the best layout until the time is up: the first pass packs largest units
        # first, later passes in random orders (packing order decides what fits).
        fill_only = self.job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE)
        attempt = 0
        while not self.stop.stopped() and not self.lower_bound_reached() and not fill_only:
            # First pass: the packer alone (cheap); later passes also make room by separation.
            self.eliminate(self.stop, shuffle=attempt > 1, separate=attempt > 0)
            self.downsize(self.stop, shuffle=attempt > 1, separate=attempt > 0)
            attempt += 1
        if not fill_only and attempt == 0:
            self.downsize(self.stop)
        assert self.best is not None
        return self.best


def _reason(job: Job, nester: _HideNester, u: int, stopped: bool) -> UnplacedReason:
    unit = nester.units[u]
    if len(unit.copies) > 1 and any(p.group is not None for p, _c in unit.copies):
        return UnplacedReason.GROUP
    if unit.area > max(nester.usable.values()):
        return UnplacedReason.TOO_LARGE
    if not any(s.area_for(unit.min_grade) >= unit.area for s in nester.slots):
        return UnplacedReason.NO_USABLE_GRADE
    return UnplacedReason.TIME_LIMIT if stopped else UnplacedReason.NO_ROOM


def nest_hides(job: Job, stop: StopToken | None = None,
               listener: Listener = no_listener) -> Solution:
    """Nest a hide job (see the module docstring) and return the best solution found."""
    stop = stop or StopToken(job.time_limit_s)
    t0 = time.monotonic()
    nester = _HideNester(job, stop, listener)
    best = nester.run()
    layouts = tuple(HideLayout(b.hide.id, tuple(b.placements[k] for k in sorted(b.placements)),
                               b.copy)
                    for b in sorted(best.bins, key=lambda b: (b.hide.id, b.copy)) if b.placements)
    stopped_early = stop.interrupted
    unplaced = tuple(Unplaced(p.id, c, _reason(job, nester, u, stopped_early))
                     for u in best.leftover for p, c in nester.units[u].copies)
    return Solution(job.name, "hides", layouts, unplaced, seed=job.seed,
                    elapsed_s=time.monotonic() - t0, version=__version__, engine="hides",
                    config={"hides_strategy": best.strategy,
                            "hides_phases": {k: v for k, (_s, v) in nester.phase_best.items()}})

