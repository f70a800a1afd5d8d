"""Hide nesting: assign units to hides (CP-SAT master), pack each hide, repair, keep the best.

Two strategies run on the same time budget and the better layout is kept (fewer mandatory pieces
missing, then fewer hides or lower cost, then higher utilisation):

1. *sequential fill*: units in order (demanding grades and large first) go to the first open hide
   copy they fit on, a new copy is opened when none fits (:func:`leathernest.search.baseline`);
2. *assign, pack, repair*: :func:`leathernest.ordering.assign.solve_assignment` chooses which
   units go to which hide copy under area, grade-area and group constraints; the geometric packer
   fills each hide copy in :func:`~leathernest.ordering.assign.placement_order`; a hide copy whose
   units do not all fit gets a no-good cut and a lower expected fill, and the master is solved
   again. Units still left are offered to every hide copy with room, then reported unplaced.

Which one wins is measured, not assumed (``benchmarks/RESULTS.md``); both are always tried, and the
solution records which one produced it in ``config["hides_strategy"]``.
"""

from __future__ import annotations

import dataclasses
import time

import shapely

from leathernest._version import __version__
from leathernest.config import BaselineConfig
from leathernest.model import (
    HideLayout,
    Job,
    Objective,
    Solution,
    Unplaced,
    zone_blocks,
)
from leathernest.ordering.assign import HideSlot, Unit, placement_order, solve_assignment
from leathernest.report import hide_cost, usable_region
from leathernest.search.baseline import (
    Bin,
    Filler,
    PieceCopy,
    make_units,
    nest_baseline,
    why_unplaced,
)
from leathernest.search.stop import Listener, Progress, StopToken, no_listener
from leathernest.shapes import zone_region

INITIAL_FILL = 0.85  # share of a hide's usable leather the master may plan to use at first
FILL_STEP = 0.9  # a hide copy that failed has its planned fill multiplied by this
MASTER_SHARE = 0.25  # at most this share of the remaining time goes to one master solve


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
        cost = 1.0 if cost is None else cost
        out += [HideSlot(h, k, usable.area, tuple(by_grade), cost) for k in range(h.stock)]
    return out


def _score(job: Job, s: Solution) -> tuple:
    """Smaller is better: mandatory pieces missing, hides (or cost), then unused leather."""
    optional = {p.id for p in job.pieces if p.optional}
    missing = sum(1 for u in s.unplaced if u.piece_id not in optional)
    pieces = {p.id: p for p in job.pieces}
    hides = {h.id: h for h in job.hides}
    used = [lay for lay in s.layouts if lay.placements]
    placed = sum(pieces[p.piece_id].worth for p in s.placements)
    cost = sum(hide_cost(hides[lay.hide_id or ""]) or 1.0 for lay in used)
    by = cost if job.objective is Objective.MIN_COST else len(used)
    if job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE):
        return (-placed, by)
    return (missing, by, -placed)


def _assign_and_pack(job: Job, cfg: BaselineConfig, stop: StopToken, seed: int,
                     listener: Listener) -> Solution | None:
    copies_units = make_units(job)
    units = [_unit(cu) for cu in copies_units]
    slots = _slots(job, {u.min_grade for u in units})
    filler = Filler(job, cfg, stop)
    knapsack = job.objective in (Objective.MAX_AREA, Objective.MAX_VALUE) or (
        sum(u.area for u in units if not u.optional) > sum(s.usable for s in slots))
    fill = {s: INITIAL_FILL for s in range(len(slots))}
    cuts: list[tuple[int, frozenset[int]]] = []
    packed: dict[int, Bin] = {}
    leftover: list[int] = []
    demanded = sum(len(u.copies) for u in units)
    while not stop.stopped():
        budget = max(min(stop.remaining_s * MASTER_SHARE, 10.0), 0.05)
        a = solve_assignment(units, slots, job.objective or Objective.MIN_HIDES, fill, cuts,
                             budget, seed, knapsack)
        if a.status not in ("OPTIMAL", "FEASIBLE"):
            return None
        packed, leftover, failed = {}, list(a.unassigned), False
        for s, members in sorted(a.by_slot.items()):
            if stop.stopped():  # not packed: these go to the leftover pass below
                leftover += members
                continue
            slot = slots[s]
            b = Bin(slot.hide, slot.copy, slot.hide.outline.bbox)
            missed = [u for u in placement_order(units, members)
                      if not filler.place_unit(b, copies_units[u])]
            packed[s] = b
            if missed:
                failed = True
                leftover += missed
                cuts.append((s, frozenset(members)))
                fill[s] *= FILL_STEP
        placed = sum(len(b.placements) for b in packed.values())
        listener(Progress(stop.elapsed_s, placed, demanded, hides_used=len(packed),
                          phase="assign"))
        if not failed:
            break
    if not packed and not leftover:  # the deadline came before the first master solve
        leftover = list(range(len(units)))
    # Leftovers: any hide copy with room, the open ones first, then fresh ones.
    still = []
    for u in leftover:
        ok = any(filler.place_unit(b, copies_units[u]) for b in packed.values())
        if not ok:
            for s, slot in enumerate(slots):
                if s in packed:
                    continue
                b = Bin(slot.hide, slot.copy, slot.hide.outline.bbox)
                if filler.place_unit(b, copies_units[u]):
                    packed[s] = b
                    ok = True
                    break
        if not ok:
            still.append(u)
    unplaced = tuple(Unplaced(p.id, c, why_unplaced(job, copies_units[u]))
                     for u in still for p, c in units[u].copies)
    layouts = tuple(HideLayout(b.hide.id, tuple(b.placements), b.copy)  # type: ignore[union-attr]
                    for _s, b in sorted(packed.items()) if b.placements)
    return Solution(job.name, "hides", layouts, unplaced, seed=seed, version=__version__,
                    engine="hides")


def nest_hides(job: Job, cfg: BaselineConfig | None = None, stop: StopToken | None = None,
               listener: Listener = no_listener) -> Solution:
    """Nest a hide job with both strategies and return the better solution."""
    cfg = cfg or BaselineConfig()
    stop = stop or StopToken(job.time_limit_s)
    t0 = time.monotonic()
    half = stop.sub(stop.remaining_s / 2.0)
    sequential = nest_baseline(job, cfg, half, listener)
    sequential = dataclasses.replace(sequential, config={"hides_strategy": "sequential"})
    best = sequential
    if not stop.stopped():
        assigned = _assign_and_pack(job, cfg, stop, job.seed, listener)
        if assigned is not None and _score(job, assigned) < _score(job, sequential):
            best = dataclasses.replace(assigned, config={"hides_strategy": "assign"})
    return dataclasses.replace(best, elapsed_s=time.monotonic() - t0, engine="hides")

