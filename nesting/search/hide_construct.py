"""The first complete layout on hides, and the exact placement of units on one hide copy.

Units (a copy, a left/right pair, a same-hide group; :mod:`leathernest.search.units`) in order go
to the fullest open hide copy that takes them (:func:`leathernest.search.construct.place_copy`,
exact: the bottom-left lattice packing towards the end of the copy's axis), else a new copy is
opened (largest usable area first, or cheapest per m² for ``min_cost``, with a best fit for the
last one); a unit is only left out when no copy in stock can take it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from leathernest.config import HidesConfig
from leathernest.model import Job, Objective, zone_blocks
from leathernest.search.construct import construct_array, place_copy
from leathernest.search.hide_sheet import HideSheet
from leathernest.search.items import Items
from leathernest.search.layout import Layout
from leathernest.search.stop import StopToken


@dataclass
class Placer:
    """Exact placement of whole units on the hide copies of one layout."""

    job: Job
    cfg: HidesConfig
    layout: Layout
    items: Items
    sheet: HideSheet
    krng: np.ndarray
    impossible: set[tuple[int, str]] = field(default_factory=set)  # (unit, hide id): no room

    def __post_init__(self) -> None:
        self.cc = construct_array(self.cfg.construct)

    def try_unit(self, u: int, c: int, stop: StopToken, samples: int | None = None) -> bool:
        """Place every copy of unit u on container c at free places, or none of them.

        The bottom-left lattice (tight, packing towards the end of the copy's axis); with
        ``samples``, uniform samples instead (a closed hide's pieces looking for gaps anywhere).
        """
        lay = self.layout
        box = lay.engine.static.container_box[c]
        done = []
        for k in self.items.units[u]:
            row = place_copy(lay, k, box, self.cc, self.krng, stop, samples or 0,
                             axis=self.sheet.axis[c])
            if row is None:
                for d in done:
                    lay.take(d)
                return False
            lay.put(k, row)
            done.append(k)
        return True

    def fits_grade(self, u: int, c: int) -> bool:
        """Whether container c has enough leather of the unit's grades for its area (a bound)."""
        hide = self.sheet.slots[c][0]
        it = self.items
        need = sum(float(it.areas[k]) for k in it.units[u])
        if need > self.sheet.usable[c]:
            return False
        grades = {it.pieces[k].min_grade for k in it.units[u]}
        blocked = sum(z.outline.area for z in hide.zones if z.grade > 0
                      and any(zone_blocks(z.grade, g) for g in grades))
        return need <= self.sheet.usable[c] - blocked + 1e-6 * self.sheet.usable[c]

    def opening_order(self, rest: float) -> list[int]:
        """Hide copies in the order the first layout tries to open them, for ``rest`` mm² to go.

        The slot order (largest or cheapest first), except that the smallest (for ``min_cost``
        the cheapest) closed copy that would take the rest at ``last_hide_fill`` comes first: a
        best fit for the last hide.
        """
        sheet = self.sheet
        order = list(range(sheet.n))
        closed = [c for c in order if self.layout.engine.is_closed(c)]
        fits = [c for c in closed if rest <= self.cfg.last_hide_fill * sheet.usable[c]]
        if not fits or self.job.objective not in (Objective.MIN_HIDES, Objective.MIN_COST):
            return order
        # what a copy is worth to the objective: its price for min_cost, else its leather
        worth = sheet.cost if self.job.objective is Objective.MIN_COST else sheet.usable
        last = min(fits, key=lambda c: (worth[c], sheet.usable[c], c))
        if worth[last] < worth[closed[0]]:  # never dearer or larger than the slot order's pick
            order.remove(last)
            order.insert(0, last)
        return order


@dataclass(frozen=True)
class FirstLayout:
    """What the first fill left out: units not placed, and those it never reached (time)."""

    leftover: tuple[int, ...]
    untried: frozenset[int]


def construct(placer: Placer, stop: StopToken) -> FirstLayout:
    """The first complete layout (module docstring).

    It runs to the end whatever the work budget (a search must start from a complete layout, and
    its cost depends on the job only), and stops early only on an interrupt or the wall-clock
    deadline: the units not reached then are ``time_limit``. A unit type that did not fit a hide
    copy is not tried on it again until that copy changes (the first fill only adds pieces),
    which keeps long orders of repeated pieces fast.
    """
    lay, items, sheet = placer.layout, placer.items, placer.sheet
    fill = np.zeros(sheet.n)
    count = np.zeros(sheet.n, dtype=np.int64)
    failed: dict[tuple, int] = {}  # (unit signature, copy) -> pieces on it when it failed
    leftover: list[int] = []
    untried: set[int] = set()
    for u, unit in enumerate(items.units):
        if stop.interrupted or stop.remaining_s <= 0.0:
            leftover.append(u)
            untried.add(u)
            continue
        sig = tuple(int(items.piece_of[k]) for k in unit)
        area = float(sum(items.areas[k] for k in unit))
        opened = [c for c in range(sheet.n) if not lay.engine.is_closed(c)]
        placed = False
        for c in sorted(opened, key=lambda c: -fill[c] / sheet.usable[c]):
            if fill[c] + area > sheet.usable[c] or failed.get((sig, c)) == count[c]:
                continue
            if placer.try_unit(u, c, stop):
                fill[c] += area
                count[c] += len(unit)
                placed = True
                break
            failed[(sig, c)] = int(count[c])
        if not placed:
            rest = float(sum(items.areas[k] for v in items.units[u:] for k in v))
            for c in placer.opening_order(rest):
                hid = sheet.slots[c][0].id
                if (not lay.engine.is_closed(c) or (u, hid) in placer.impossible
                        or not placer.fits_grade(u, c)):
                    continue
                lay.set_closed(c, False)
                if placer.try_unit(u, c, stop):
                    fill[c] += area
                    count[c] += len(unit)
                    placed = True
                    break
                lay.set_closed(c, True)
                placer.impossible.add((u, hid))
        if not placed:
            leftover.append(u)
    return FirstLayout(tuple(leftover), frozenset(untried))


__all__ = ["FirstLayout", "Placer", "construct"]
