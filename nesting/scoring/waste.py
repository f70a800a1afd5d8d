"""The trade's waste figures of a layout: first and second waste, the remnant kept, consumption.

Cutting rooms split the leather a layout does not turn into pieces into *first waste*, between
interlocked patterns, and *second waste*, at the skin's edge (``leather_domain.md`` section 7,
after [S39]). Utilisation of the hides used cannot tell a compact layout from a sloppy one on the
same hide; these figures can. On a hide with usable region U (its leather minus holes and grade-0
defects, as :func:`leathernest.report.metrics.usable_region`) and placed pieces P:

- the **nest** is the closing of P by a disc of diameter :data:`NEST_WIDTH_MM`, inside U: the
  pieces and the leather they enclose, every gap between them narrower than that width;
- **first waste** = nest - P;
- **free leather** = U - nest. Its opening by a disc of diameter :data:`REMNANT_MIN_WIDTH_MM`
  drops the slivers; the largest connected part left is the **remnant**, the offcut that goes
  back on the shelf;
- **second waste** = free leather - remnant: strips along the edge and around defects, and the
  offcuts a scattered layout cuts off from the remnant;
- **leather consumed** = U - remnant = P + first waste + second waste.

A compact layout keeps its gaps at the knife's need and leaves one large remnant; a sloppy one has
wide gaps (first waste) and splits the remnant, so it consumes more leather for the same pieces.
Also measured: best leather (the hide's unmarked area) spent on pieces whose minimum grade would
have allowed a lower one. For a strip the used rectangle is the container and nothing is kept.

Imports the model, the report's region helpers and shapely.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from leathernest.geometry.shapes import hide_region, zone_region
from leathernest.model import Hide, Job, Solution, Strip
from leathernest.report.metrics import hide_cost, usable_region
from leathernest.validate import placed_shape

# The layout's footprint (the nest) takes in every gap between pieces narrower than this, mm: an
# assumption of ours (L), about the longer side of a small-goods panel of the pattern library
# (card holders 100 mm, pockets 105 mm, wallet panels 95 x 225 mm). Leather in such a gap is
# enclosed by the layout; a wider gap is open leather that later cutting can still use as a block.
# One width for all jobs, so that scores of different exercises mean the same thing.
NEST_WIDTH_MM = 150.0
# Free leather narrower than this (mm) is scrap, not part of the remnant kept: keepers and
# stiffeners (15-20 mm) are all that fits, and an order cuts those from its own waste.
REMNANT_MIN_WIDTH_MM = 50.0
# Segments per quarter circle in the closing and opening buffers: the round joins only move the
# figures by a fraction of a percent, and 4 keeps a 66-piece hide under 0.1 s.
QUAD_SEGS = 4
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


def _largest(geom: BaseGeometry) -> BaseGeometry:
    parts = [g for g in shapely.get_parts(geom) if not g.is_empty]
    return max(parts, key=lambda g: g.area) if parts else Polygon()


def container_waste(usable: BaseGeometry, polys: list[Polygon], width_mm: float,
                    keep_remnant: bool = True) -> tuple[BaseGeometry, BaseGeometry, float]:
    """(first waste, remnant, second-waste area) of pieces ``polys`` in region ``usable``."""
    r = width_mm / 2.0
    placed = shapely.union_all(polys)
    nest = placed.buffer(r, quad_segs=QUAD_SEGS).buffer(-r, quad_segs=QUAD_SEGS)
    nest = nest.intersection(usable).union(placed)
    first = nest.difference(placed)
    free = usable.difference(nest)
    remnant = Polygon()
    if keep_remnant and not free.is_empty:
        rr = REMNANT_MIN_WIDTH_MM / 2.0
        opened = free.buffer(-rr, quad_segs=QUAD_SEGS).buffer(rr, quad_segs=QUAD_SEGS)
        remnant = _largest(opened.intersection(free))
    second = max(free.area - remnant.area, 0.0)
    return first, remnant, second


def layout_waste(job: Job, solution: Solution,
                 width_mm: float = NEST_WIDTH_MM) -> list[HideWaste]:
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
            usable = box(0.0, 0.0, length, job.stock.height)
            first, remnant, second = container_waste(usable, polys, width_mm, keep_remnant=False)
            out.append(HideWaste(None, 0, usable.area, placed_mm2, first.area, second,
                                 0.0, 0.0, None, first, remnant))
            continue
        hide = hides.get(lay.hide_id or "")
        if hide is None:
            continue
        usable = usable_region(hide)
        first, remnant, second = container_waste(usable, polys, width_mm)
        best = unmarked_region(hide)
        misuse = sum(poly.intersection(best).area for (piece, _p), poly in zip(items, polys,
                                                                               strict=True)
                     if piece.min_grade is not None)
        out.append(HideWaste(hide.id, lay.hide_copy, usable.area, placed_mm2, first.area, second,
                             remnant.area, misuse, hide_price_per_m2(hide), first, remnant))
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
