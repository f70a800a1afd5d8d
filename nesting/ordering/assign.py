"""The master problem of hide nesting, in OR-Tools CP-SAT: which units go to which hide copy.

A *unit* is what must stay together on one hide: a single copy, a left/right pair, or every copy of
a same-hide group. The model has one boolean per allowed (unit, hide copy) pair (no variable at all
for a pair whose grade the hide cannot offer, rather than a constraint forbidding it), one boolean
per hide copy "used", and:

- every mandatory unit on exactly one hide copy (at most one in knapsack mode, and for optional
  fillers);
- area: the units' area on a hide copy at most ``fill`` x its usable area, where ``fill`` is the
  share of leather the geometric nester is expected to reach (the repair loop lowers it per hide
  copy when the nester fails);
- grade area: for every grade threshold g, the area of units that need grade >= g at most ``fill``
  x the hide's area of grade >= g;
- hide copies of one hide used in order (symmetry breaking);
- no-good cuts from the repair loop: a set of units that did not fit on a hide copy is never
  assigned to it again in full.

Objective: fewest hides, least cost, or most value placed (knapsack), as the job says. The
geometric nester then packs each hide copy in the order :func:`placement_order` gives (large,
constrained and high-grade first), and the driver feeds failures back as cuts.

ortools is imported inside functions only (``TID253``): the CLI must start without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leathernest.model import Hide, Objective, Piece

# Areas become integers for CP-SAT: the largest hide maps to AREA_RESOLUTION units, so a unit is
# 1e-5 of a hide (about 0.1 cm² of a 1 m² calf skin) whatever the job's length unit.
AREA_RESOLUTION = 100_000
COST_SCALE = 100  # cost -> integer cents


@dataclass(frozen=True, slots=True)
class Unit:
    """Copies that must go to one hide together: ``(piece, copy)`` pairs, their area and need."""

    copies: tuple[tuple[Piece, int], ...]
    area: float
    min_grade: int | None  # the most demanding grade among the copies (None = best only)
    optional: bool
    value: float

    @property
    def label(self) -> str:
        """A short name for logs and reports."""
        p, c = self.copies[0]
        more = f"+{len(self.copies) - 1}" if len(self.copies) > 1 else ""
        return f"{p.id}#{c}{more}"


@dataclass(frozen=True, slots=True)
class HideSlot:
    """One copy of a hide, with the leather it offers per grade threshold (mm²)."""

    hide: Hide
    copy: int
    usable: float
    by_grade: tuple[tuple[int | None, float], ...]  # (threshold, area usable by pieces needing it)
    cost: float

    def area_for(self, min_grade: int | None) -> float:
        """Leather usable by a piece needing ``min_grade``."""
        return dict(self.by_grade).get(min_grade, self.usable)


@dataclass
class Assignment:
    """The master's answer: units per hide slot, unassigned units, and the solver's status."""

    by_slot: dict[int, list[int]] = field(default_factory=dict)  # slot index -> unit indices
    unassigned: list[int] = field(default_factory=list)
    status: str = ""


def _demanding_first(g: int | None) -> float:
    return float("inf") if g is None else float(g)


def solve_assignment(units: list[Unit], slots: list[HideSlot], objective: Objective,
                     fill: dict[int, float], cuts: list[tuple[int, frozenset[int]]],
                     time_limit_s: float, seed: int = 0, knapsack: bool = False) -> Assignment:
    """Assign units to hide slots with CP-SAT; see the module docstring for the model."""
    from ortools.sat.python import cp_model

    scale = AREA_RESOLUTION / max(max((s.usable for s in slots), default=1.0), 1e-9)

    def ia(area: float) -> int:
        return round(area * scale)

    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    used = [model.new_bool_var(f"used_{s}") for s in range(len(slots))]
    for u, unit in enumerate(units):
        for s, slot in enumerate(slots):
            if unit.area <= fill.get(s, 1.0) * slot.area_for(unit.min_grade):
                x[u, s] = model.new_bool_var(f"x_{u}_{s}")
                model.add_implication(x[u, s], used[s])
    for u, unit in enumerate(units):
        row = [x[u, s] for s in range(len(slots)) if (u, s) in x]
        if knapsack or unit.optional:
            model.add_at_most_one(row)
        elif row:
            model.add_exactly_one(row)
    thresholds = sorted({u.min_grade for u in units}, key=_demanding_first)
    for s, slot in enumerate(slots):
        members = [(u, v) for (u, t), v in x.items() if t == s]
        f = fill.get(s, 1.0)
        model.add(sum(ia(units[u].area) * v for u, v in members)
                  <= ia(f * slot.usable) * used[s])
        for g in thresholds:
            need = [(u, v) for u, v in members
                    if _demanding_first(units[u].min_grade) >= _demanding_first(g)]
            if need:
                model.add(sum(ia(units[u].area) * v for u, v in need)
                          <= ia(f * slot.area_for(g)))
    for s in range(1, len(slots)):
        if slots[s].hide.id == slots[s - 1].hide.id:
            model.add(used[s] <= used[s - 1])
    for s, members in cuts:
        vs = [x[u, s] for u in members if (u, s) in x]
        if len(vs) == len(members) and vs:
            model.add(sum(vs) <= len(vs) - 1)
    vscale = AREA_RESOLUTION / max(sum(u.value for u in units), 1e-9)
    placed_value = sum(round(units[u].value * vscale) * v for (u, _s), v in x.items())
    if knapsack:
        # Most value first; among equal values, the cheaper hides.
        weight = 1 + sum(int(s.cost * COST_SCALE) for s in slots)
        model.maximize(placed_value * weight - sum(int(sl.cost * COST_SCALE) * used[s]
                                                   for s, sl in enumerate(slots)))
    elif objective is Objective.MIN_COST:
        model.minimize(sum(int(sl.cost * COST_SCALE) * used[s] for s, sl in enumerate(slots)))
    else:
        model.minimize(sum(used))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.05)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    out = Assignment(status=solver.status_name(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out.unassigned = list(range(len(units)))
        return out
    for (u, s), v in x.items():
        if solver.boolean_value(v):
            out.by_slot.setdefault(s, []).append(u)
    taken = {u for us in out.by_slot.values() for u in us}
    out.unassigned = [u for u in range(len(units)) if u not in taken]
    return out


def placement_order(units: list[Unit], members: list[int]) -> list[int]:
    """Order for the constructive phase: demanding grades, then large units, first."""
    return sorted(members, key=lambda u: (units[u].optional,
                                          -_demanding_first(units[u].min_grade),
                                          -units[u].area))
