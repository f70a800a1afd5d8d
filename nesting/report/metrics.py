"""Figures of a layout.

Density and length for strips; utilisation, area by grade, waste and cost per hide and overall.
The same numbers go into the solution JSON, the SVG and the CLI summary.

Definitions (stated once, used everywhere):

- strip density = placed piece area / (strip height x strip length), as the ESICUP literature and
  Sparrow report it;
- usable area of a hide = its leather (outline minus holes) minus its grade-0 zones;
- utilisation = placed piece area / usable area of the hides used;
- waste = usable area of the hides used - placed area;
- cost of a hide = its ``cost`` when given, else ``price_per_m2`` x its gross area in m²; a hide
  with neither costs nothing in the figures (and says so with ``cost`` None);
- per hide, the leather left: ``free_mm2`` (the uncut usable leather beyond the knife gap),
  ``remnant_mm2`` (its largest solid part outside the layout's footprint) and ``compactness``
  (their ratio), as :mod:`leathernest.report.remnants` defines them;
- per product and size (``per_product``): the area cut, its share of the hides' usable area and
  cost (each hide shared by the area cut on it) and its yield; per hide, the products it served
  (:mod:`leathernest.report.products`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import shapely
from shapely.geometry import Polygon

from leathernest.geometry.shapes import usable_region, zone_region
from leathernest.model import Hide, Job, Solution, Strip, hide_cost
from leathernest.report.products import product_figures
from leathernest.report.remnants import hide_leftover
from leathernest.validate import placed_shape

BEST_GRADE = "best"  # key of the unmarked hide in area-by-grade tables


def _area_by_grade(hide: Hide, polys: list[Polygon]) -> dict[str, float]:
    """Placed area per grade of leather it lies on (zones may overlap: the lowest grade counts).

    Zones of one grade are unioned at once (a hide of hundreds of defects costs one union per
    grade, not one per zone), and the pieces are cut with them one by one, only those a grade's
    zones meet (no union of the pieces: that took 2 s of a 5,000-piece hide), so the grades add
    up to the placed area as ``placed_area_mm2`` counts it.
    """
    placed = np.asarray(polys, dtype=object)
    tree = shapely.STRtree(placed)
    out: dict[str, float] = {}
    regions = [zone_region(z) for z in hide.zones]
    claimed = None
    for grade in sorted({z.grade for z in hide.zones}):
        geom = shapely.union_all([r for r, z in zip(regions, hide.zones, strict=True)
                                  if z.grade == grade])
        if claimed is not None:
            geom = geom.difference(claimed)
        near = placed[tree.query(geom)]
        area = float(shapely.area(shapely.intersection(near, geom)).sum()) if len(near) else 0.0
        if area > 0:
            out[str(grade)] = area
        claimed = geom if claimed is None else claimed.union(geom)
    rest = float(shapely.area(placed).sum()) - sum(out.values())
    out[BEST_GRADE] = max(rest, 0.0)
    return out


def compute_metrics(job: Job, solution: Solution) -> dict:
    """The metrics dict stored in a solution (see the module docstring for definitions)."""
    pieces = {p.id: p for p in job.pieces}
    placed_area = sum(pieces[p.piece_id].area for p in solution.placements)
    demanded = sum(p.n_copies for p in job.pieces)
    base = {
        "pieces_placed": len(solution.placements),
        "pieces_demanded": demanded,
        "pieces_unplaced": len(solution.unplaced),
        "placed_area_mm2": placed_area,
        "demanded_area_mm2": job.demanded_area,
    }
    if isinstance(job.stock, Strip):
        length = solution.strip_length or 0.0
        used = job.stock.height * length
        products, _ = product_figures(job, solution, [], strip_area_mm2=used)
        return base | {"strip_length": length, "strip_height": job.stock.height,
                       "density": placed_area / used if used > 0 else 0.0,
                       "per_product": products}
    hides = {h.id: h for h in job.hides}
    per_hide = []
    total_usable = 0.0
    total_cost: float | None = 0.0
    for lay in solution.layouts:
        if not lay.placements or lay.hide_id is None:
            continue
        hide = hides[lay.hide_id]
        polys = [placed_shape(pieces[p.piece_id], p) for p in lay.placements]
        usable = usable_region(hide).area
        area = sum(pieces[p.piece_id].area for p in lay.placements)
        cost = hide_cost(hide)
        total_usable += usable
        total_cost = None if cost is None or total_cost is None else total_cost + cost
        per_hide.append({
            "hide_id": hide.id, "hide_copy": lay.hide_copy, "pieces": len(lay.placements),
            "placed_area_mm2": area, "usable_area_mm2": usable, "utilisation": area / usable,
            "waste_mm2": usable - area, "area_by_grade_mm2": _area_by_grade(hide, polys),
            "cost": cost,
        } | hide_leftover(hide, polys, job.gap_mm).figures())
    products, served = product_figures(job, solution, per_hide)
    for row, here in zip(per_hide, served, strict=True):
        row["products"] = here
    return base | {
        "hides_used": len(per_hide),
        "utilisation": placed_area / total_usable if total_usable > 0 else 0.0,
        "usable_area_mm2": total_usable,
        "waste_mm2": total_usable - placed_area,
        "total_cost": total_cost,
        "per_hide": per_hide,
        "per_product": products,
    }


def with_metrics(job: Job, solution: Solution) -> Solution:
    """The solution with its metrics filled in."""
    return dataclasses.replace(solution, metrics=compute_metrics(job, solution))


def summary_line(job: Job, solution: Solution) -> str:
    """One line for the terminal: the figure that matters and what is missing."""
    m = solution.metrics
    placed = f"{m['pieces_placed']}/{m['pieces_demanded']} pieces"
    if job.is_strip:
        head = (f"{job.name}: density {m['density']:.2%}, length {m['strip_length']:.1f} mm, "
                f"{placed}")
    else:
        cost = "" if m["total_cost"] is None else f", cost {m['total_cost']:.2f}"
        head = (f"{job.name}: {m['hides_used']} hide(s), utilisation {m['utilisation']:.2%}"
                f"{cost}, {placed}")
    if solution.unplaced:
        names = sorted({u.piece_id for u in solution.unplaced})
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        head += f"; unplaced: {len(solution.unplaced)} ({shown})"
    return head + f" [{solution.elapsed_s:.1f} s, seed {solution.seed}]"
