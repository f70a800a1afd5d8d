"""The trade's waste figures of a layout: first and second waste, the remnant kept, consumption.

Cutting rooms split the leather a layout does not turn into pieces into *first waste*, between
interlocked patterns, and *second waste*, at the skin's edge (``leather_domain.md`` section 7,
after [S39]). Utilisation of the hides used cannot tell a compact layout from a sloppy one on the
same hide; these figures can. They partition the usable leather U of each hide copy (its leather
minus holes and grade-0 defects) with the footprint N and the remnant of
:mod:`leathernest.report.remnants`, the one definition the solution's figures, the report and
``leathernest remnants`` use too:

- **remnant kept** = the usable leather of the largest remnant part: the solid offcut, outside the
  layout's footprint, that goes back on the shelf (``remnant_mm2`` of the solution's figures);
- **first waste** = N within U, minus the pieces: the knife's gap around every piece and every gap
  between pieces narrower than :data:`NEST_WIDTH_MM`, the leather the layout encloses;
- **second waste** = U - N - remnant: strips along the edge and around defects narrower than the
  remnant's minimum width, and the offcuts a scattered layout cuts off from the remnant;
- **leather consumed** = U - remnant = pieces + first waste + second waste.

A compact layout keeps its gaps at the knife's need and leaves one large remnant; a sloppy one has
wide gaps (first waste), and one that spreads its pieces over the skin encloses the leather between
them or splits the remnant, so it consumes more leather for the same pieces. Also measured: best
leather (the hide's unmarked area) spent on pieces whose minimum grade would have allowed a lower
one. For a strip the used rectangle is the container and nothing is kept.

Imports the model, the report's region helpers and remnant definition, and shapely.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from leathernest.geometry.shapes import hide_region, zone_region
from leathernest.model import Hide, Job, Solution, Strip
from leathernest.report.metrics import hide_cost, usable_region
from leathernest.report.remnants import NEST_WIDTH_MM, Leftover, hide_leftover, leftover
from leathernest.validate import placed_shape

M2 = 1e6  # mm² per m²


@dataclass(frozen=True, eq=False)
class HideWaste:
    """Where the leather of one hide copy (or the used strip) went, mm².

    ``first`` and ``remnant`` keep their geometry for per-piece feedback and pictures.
    """

    hide_id: str | None
    hide_copy: int
    usable_mm2: float
    placed_mm2: float
    first_mm2: float
    second_mm2: float
    remnant_mm2: float
    best_misuse_mm2: float
    price_per_m2: float | None
    first: BaseGeometry = field(repr=False)
    remnant: BaseGeometry = field(repr=False)

    @property
    def consumed_mm2(self) -> float:
        """Leather this layout uses up: everything but the remnant."""
        return self.usable_mm2 - self.remnant_mm2

    @property
    def money(self) -> float | None:
        """The consumed leather at the hide's price per m² (None without a price)."""
        if self.price_per_m2 is None:
            return None
        return self.consumed_mm2 / M2 * self.price_per_m2

    def as_dict(self) -> dict:
        """Plain dict for JSON output (areas in mm²)."""
        return {"hide_id": self.hide_id, "hide_copy": self.hide_copy,
                "usable_mm2": self.usable_mm2, "placed_mm2": self.placed_mm2,
                "first_waste_mm2": self.first_mm2, "second_waste_mm2": self.second_mm2,
                "remnant_mm2": self.remnant_mm2, "consumed_mm2": self.consumed_mm2,
                "best_misuse_mm2": self.best_misuse_mm2, "money": self.money}


def hide_price_per_m2(hide: Hide) -> float | None:
    """The hide's price per m² of gross area (its ``cost`` spread over its area, else its price)."""
    cost = hide_cost(hide)
    return None if cost is None or hide.area <= 0 else cost / (hide.area / M2)


def unmarked_region(hide: Hide) -> BaseGeometry:
    """The hide's best leather: its region outside every zone."""
    region = hide_region(hide)
    if not hide.zones:
        return region
    return region.difference(shapely.union_all([zone_region(z) for z in hide.zones]))


def _split(usable: BaseGeometry, polys: list[Polygon], left: Leftover
           ) -> tuple[BaseGeometry, float]:
    """(first waste, second-waste area) of pieces ``polys`` whose leftover is ``left``."""
    enclosed = left.footprint.intersection(usable)
    first = enclosed.difference(shapely.union_all(polys))
    second = max(usable.area - enclosed.area - left.remnant_mm2, 0.0)
    return first, second


def layout_waste(job: Job, solution: Solution) -> list[HideWaste]:
    """The waste figures of every hide copy the solution uses (one entry for a strip)."""
    pieces = {p.id: p for p in job.pieces}
    hides = {h.id: h for h in job.hides}
    out = []
    for lay in solution.layouts:
        items = [(pieces[p.piece_id], p) for p in lay.placements if p.piece_id in pieces]
        if not items:
            continue
        polys = [placed_shape(piece, p) for piece, p in items]
        placed_mm2 = sum(piece.area for piece, _p in items)
        if isinstance(job.stock, Strip):
            length = solution.strip_length or max(p.bounds[2] for p in polys)
            used = box(0.0, 0.0, length, job.stock.height)
            first, second = _split(used, polys, leftover(used, used, polys, job.gap_mm,
                                                         keep_remnant=False))
            out.append(HideWaste(None, 0, used.area, placed_mm2, first.area, second,
                                 0.0, 0.0, None, first, Polygon()))
            continue
        hide = hides.get(lay.hide_id or "")
        if hide is None:
            continue
        usable = usable_region(hide)
        left = hide_leftover(hide, polys, job.gap_mm)
        first, second = _split(usable, polys, left)
        best = unmarked_region(hide)
        misuse = sum(poly.intersection(best).area for (piece, _p), poly in zip(items, polys,
                                                                               strict=True)
                     if piece.min_grade is not None)
        out.append(HideWaste(hide.id, lay.hide_copy, usable.area, placed_mm2, first.area, second,
                             left.remnant_mm2, misuse, hide_price_per_m2(hide), first,
                             left.usable_remnant))
    return out


def waste_totals(wastes: list[HideWaste]) -> dict:
    """The figures of a whole layout, in m² (money in the hides' currency, None without prices)."""
    def total(attr: str) -> float:
        return sum(getattr(w, attr) for w in wastes) / M2

    consumed = total("consumed_mm2")
    placed = total("placed_mm2")
    moneys = [w.money for w in wastes]
    return {
        "leather_consumed_m2": consumed,
        "consumption_yield": placed / consumed if consumed > 0 else 0.0,
        "first_waste_m2": total("first_mm2"),
        "second_waste_m2": total("second_mm2"),
        "remnant_m2": total("remnant_mm2"),
        "largest_remnant_m2": max((w.remnant_mm2 for w in wastes), default=0.0) / M2,
        "best_misuse_m2": total("best_misuse_mm2"),
        "money_consumed": None if not wastes or None in moneys else sum(moneys),  # type: ignore[arg-type]
        "per_hide": [w.as_dict() for w in wastes],
    }


__all__ = ["NEST_WIDTH_MM", "HideWaste", "hide_price_per_m2", "layout_waste", "unmarked_region",
           "waste_totals"]
