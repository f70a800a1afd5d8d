"""The leather a layout leaves on a hide: free leather, the remnant, its compactness, as stock.

One definition, used by the solution's figures (:mod:`leathernest.report.metrics`), the report,
``leathernest remnants`` and the trainee score's "remnant kept" (:mod:`leathernest.scoring.waste`).
On one used hide copy, with

- L the hide's leather (outline minus holes), U its usable leather (L minus grade-0 zones),
- P the placed pieces with their windows filled (the leather in a window comes loose when the
  window is cut), g the knife gap, and C the union of the pieces grown by g (mitre joins, so each
  grown piece contains its true offset):

**free leather** F = U - C: the uncut usable leather beyond what the knife needs (``free_mm2``).

**footprint** N = the closing of C by a disc of :data:`NEST_WIDTH_MM`, with C, inside L: the
pieces, their knife gaps and every gap between pieces narrower than that width. Leather enclosed
by the layout goes with the skeleton when the pieces are cut out; the trade counts it as first
waste, not as leather kept ([S39] in ``leather_domain.md``, section 7).

**remnant parts**: the connected parts of L - N opened by a disc of
:data:`REMNANT_MIN_WIDTH_MM` (only leather a disc of that width reaches, lying outside the
footprint; narrower strips are scrap). A part is a physical piece of leather: it holds together
across a defect, which stays marked on it as a zone, the way a cutter chalks it. Each part counts
its usable leather (the part within U); the largest is **the remnant** (``remnant_mm2``), the
offcut that goes back on the shelf.

**compactness** = remnant / free leather: 1.0 when all the free leather is one solid part (and
when there is none), low when the layout leaves its leather in islands, lanes and wide gaps.

Why these widths: a 50 mm strip is about the narrowest a small-goods panel is cut from (card
pockets and wallet panels are 70-105 mm across); keepers narrower than that come from an order's
own waste. 150 mm is about the longer side of a small-goods panel: a wider gap is open leather
later cutting still uses as a block, a narrower one is the layout's loss. Both are our
assumptions (L), one pair for every job so that figures of different jobs mean the same thing.
Without the footprint, pieces spread over a hide with 60 mm lanes between them would count as one
large remnant; a cutting room sees a ruined skin.

Exact and conservative: every figure is shapely geometry of the true outlines, no raster, and a
remnant part is cut back to the leather outside the footprint it came from, so it never holds
leather that is cut, in a knife gap or enclosed by the layout. Arcs are drawn with chords: 8 per
quarter circle for the remnant's 25 mm radius (a right-angled convex corner loses 137 mm² of
leather where the exact disc loses 134), 4 for the footprint's 75 mm (within 1.4 mm).

``leathernest remnants`` writes each used hide copy's parts of at least
:data:`MIN_REMNANT_MM2` as hides with the original hide's zones, defects, backbone and price, in
its coordinates (so the next order's cuts can be drawn over the first): the largest part as
``<hide>_<copy>``, the others as ``<hide>_<copy>.2``, ``.3`` ... by area.

Imports the model, :mod:`leathernest.geometry.shapes`, the validator's placed shape and shapely.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from leathernest.errors import InputError
from leathernest.geometry.shapes import hide_region, usable_region, zone_region
from leathernest.model import Hide, Job, Outline, Solution
from leathernest.validate import placed_shape

# Gaps between pieces narrower than this (mm) belong to the layout's footprint (module docstring).
NEST_WIDTH_MM = 150.0
# Leather narrower than this (mm) is scrap, not remnant (module docstring).
REMNANT_MIN_WIDTH_MM = 50.0
# Parts of a remnant smaller than this are not written as stock, mm² (10 x 10 cm: about one small
# leather-goods piece with its gap).
MIN_REMNANT_MM2 = 10_000.0
# Mitre joins for the knife gap, clipped at this multiple of the distance: the grown pieces contain
# the true offset with few extra vertices.
MITRE_LIMIT = 2.0
# Chords per quarter circle (module docstring): 8 for the footprint would double its time on a
# 5,000-piece hide for a width that is an assumption anyway.
FOOTPRINT_SEGS = 4
REMNANT_SEGS = 8


@dataclass(frozen=True, eq=False)
class Leftover:
    """Where the uncut leather of one hide copy lies (module docstring for the definitions).

    ``parts`` are the remnant parts as polygons of leather (defects included), largest usable
    area first; ``part_mm2`` their usable areas in the same order; ``usable`` the leather pieces
    may use at all.
    """

    free: BaseGeometry
    footprint: BaseGeometry
    parts: tuple[Polygon, ...]
    part_mm2: tuple[float, ...]
    usable: BaseGeometry

    @property
    def free_mm2(self) -> float:
        """The uncut usable leather beyond the knife gap, mm²."""
        return float(self.free.area)

    @property
    def remnant_mm2(self) -> float:
        """Usable leather of the largest remnant part, mm² (0 without one)."""
        return self.part_mm2[0] if self.part_mm2 else 0.0

    @property
    def remnant(self) -> BaseGeometry:
        """The largest remnant part (empty without one)."""
        return self.parts[0] if self.parts else Polygon()

    @property
    def usable_remnant(self) -> BaseGeometry:
        """The usable leather of the remnant (its defects taken out); its area is the figure."""
        return self.remnant.intersection(self.usable)

    @property
    def compactness(self) -> float:
        """Remnant / free leather: 1.0 when the free leather is one solid part, or there is none."""
        free = self.free_mm2
        return min(self.remnant_mm2 / free, 1.0) if free > 0 else 1.0

    def figures(self) -> dict[str, float]:
        """The figures a solution's ``metrics.per_hide`` row carries."""
        return {"free_mm2": self.free_mm2, "remnant_mm2": self.remnant_mm2,
                "compactness": self.compactness}


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom)
            if isinstance(g, Polygon) and not g.is_empty and g.area > 0]


def leftover(leather: BaseGeometry, usable: BaseGeometry, pieces: Sequence[Polygon],
             gap_mm: float, keep_remnant: bool = True) -> Leftover:
    """Free leather, footprint and remnant parts of ``pieces`` in ``leather`` (module docstring).

    ``usable`` is ``leather`` without what no piece may use (grade-0 zones). Without
    ``keep_remnant`` (a strip: the used length keeps nothing) the parts are left empty.
    """
    solid = shapely.polygons(shapely.get_exterior_ring(np.asarray(pieces, dtype=object)))
    grown = shapely.buffer(solid, gap_mm, join_style="mitre", mitre_limit=MITRE_LIMIT) \
        if gap_mm > 0 else solid
    cut = shapely.union_all(grown)
    free = usable.difference(cut)
    # Dilating piece by piece and uniting the blobs is the dilation of the union, and much faster
    # than dilating one polygon with a ring of 60,000 vertices (a synthetic hide of 5,000 pieces:
    # 0.5 s against 14.8 s).
    r = NEST_WIDTH_MM / 2.0
    blobs = shapely.union_all(shapely.buffer(grown, r, quad_segs=FOOTPRINT_SEGS))
    closed = blobs.buffer(-r, quad_segs=FOOTPRINT_SEGS)
    footprint = shapely.union(closed, cut).intersection(leather)
    if not keep_remnant:
        return Leftover(free, footprint, (), (), usable)
    outside = leather.difference(footprint)
    rr = REMNANT_MIN_WIDTH_MM / 2.0
    opened = outside.buffer(-rr, quad_segs=REMNANT_SEGS).buffer(rr, quad_segs=REMNANT_SEGS)
    parts = np.asarray(_polygons(opened.intersection(outside)), dtype=object)
    if len(parts) == 0:
        return Leftover(free, footprint, (), (), usable)
    areas = shapely.area(shapely.intersection(parts, usable))
    order = sorted(range(len(parts)), key=lambda k: (-areas[k], parts[k].bounds))
    return Leftover(free, footprint, tuple(parts[k] for k in order),
                    tuple(float(areas[k]) for k in order), usable)


def hide_leftover(hide: Hide, pieces: Sequence[Polygon], gap_mm: float) -> Leftover:
    """The leftover of ``pieces`` (placed polygons) on one copy of ``hide``."""
    return leftover(hide_region(hide), usable_region(hide), pieces, gap_mm)


def layout_leftovers(job: Job, solution: Solution) -> list[tuple[Hide, int, Leftover]]:
    """(hide, copy, leftover) of every hide copy the solution uses, in its order."""
    if job.is_strip:
        raise InputError(f"job {job.name!r} is a strip job: remnants are left on hides",
                         hint="remnants need a job nested on hides")
    pieces = {p.id: p for p in job.pieces}
    hides = {h.id: h for h in job.hides}
    out = []
    for lay in solution.layouts:
        if not lay.placements or lay.hide_id is None:
            continue
        hide = hides[lay.hide_id]
        polys = [placed_shape(pieces[p.piece_id], p) for p in lay.placements]
        out.append((hide, lay.hide_copy, hide_leftover(hide, polys, job.gap_mm)))
    return out


@dataclass(frozen=True, slots=True, eq=False)
class Remnant:
    """The stock one used hide copy leaves: its parts as hides, largest first, and the rest.

    ``parts_mm2`` is the usable leather of each part kept, in the order of ``hides``;
    ``free_mm2`` all the free leather; ``dropped_mm2`` and ``dropped_parts`` the remnant parts
    below the minimum area. The free leather in none of them is first waste or scrap.
    """

    hide_id: str
    hide_copy: int
    hides: tuple[Hide, ...]
    parts_mm2: tuple[float, ...]
    free_mm2: float
    dropped_mm2: float
    dropped_parts: int

    @property
    def area_mm2(self) -> float:
        """Usable leather of all the parts kept, mm²."""
        return sum(self.parts_mm2)


def _price_per_m2(hide: Hide) -> float | None:
    """The hide's price per m² of leather (a whole-hide price spread over its area)."""
    if hide.price_per_m2 is not None:
        return hide.price_per_m2
    if hide.cost is not None and hide.area > 0:
        return hide.cost / (hide.area / 1e6)
    return None


def _as_hide(part: Polygon, hide: Hide, hide_id: str, name: str) -> Hide:
    outline = Outline.of(np.asarray(part.exterior.coords)[:-1],
                         [np.asarray(r.coords)[:-1] for r in part.interiors], what=hide_id)
    shapely.prepare(part)
    zones = tuple(z for z in hide.zones if part.intersects(zone_region(z)))
    return Hide(hide_id, outline, zones, hide.backbone, _price_per_m2(hide), None, 1, name)


def remnants(job: Job, solution: Solution, min_area_mm2: float = MIN_REMNANT_MM2
             ) -> list[Remnant]:
    """The remnant of every used hide copy of a valid layout (see the module docstring)."""
    if not (math.isfinite(min_area_mm2) and min_area_mm2 >= 0):
        raise InputError(f"the minimum remnant area must be >= 0, got {min_area_mm2}")
    out = []
    for hide, copy, left in layout_leftovers(job, solution):
        kept = [k for k, a in enumerate(left.part_mm2) if a >= min_area_mm2 and a > 0]
        dropped = [a for a in left.part_mm2 if not (a >= min_area_mm2 and a > 0)]
        base = f"{hide.id}_{copy}"
        name = f"{hide.name} (copy {copy}) after {job.name}"
        made = tuple(_as_hide(left.parts[k], hide, base if i == 0 else f"{base}.{i + 1}", name)
                     for i, k in enumerate(kept))
        out.append(Remnant(hide.id, copy, made, tuple(left.part_mm2[k] for k in kept),
                           left.free_mm2, sum(dropped), len(dropped)))
    return out
