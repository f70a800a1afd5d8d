"""Remnants: the leather left on a hide after an order is cut, as hides for the next order.

Cutting rooms put the uncut leather of a hide back on the shelf. The remnant of a used hide copy is
the hide's leather (outline minus holes) minus every cut piece grown by the knife gap, with the
hide's zones, defects, backbone and price kept, in the original hide's coordinates, so the next
order's cuts can be drawn over the first. What a piece's windows held is not part of it: that
leather came loose when the window was cut (the piece is subtracted with its windows filled).

Clean-up, conservative (a remnant only ever loses leather): slivers narrower than twice
``SLIVER_MM`` are opened away, and parts smaller than the minimum useful area are dropped. A hide
copy whose leather falls apart gives one hide per part (ids ``<hide>_<copy>``, then
``<hide>_<copy>.2``, ...).

Imports the model, :mod:`leathernest.geometry.shapes`, the validator's placed shape and shapely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from leathernest.errors import InputError
from leathernest.geometry.shapes import hide_region, zone_region
from leathernest.model import Hide, Job, Outline, Solution
from leathernest.validate import placed_shape

# Parts of a remnant smaller than this are scrap, mm² (10 x 10 cm: about one small leather-goods
# piece with its gap).
MIN_REMNANT_MM2 = 10_000.0
# Leather narrower than twice this is opened away, mm: a knife cannot cut a piece from it and it
# would only add ragged vertices.
SLIVER_MM = 1.0
# Mitre joins, clipped at this multiple of the distance: the grown pieces contain the true offset
# (the remnant is never overstated) with few extra vertices.
MITRE_LIMIT = 2.0


@dataclass(frozen=True, slots=True, eq=False)
class Remnant:
    """The leather left on one used hide copy: its parts as hides, and what was dropped (mm²)."""

    hide_id: str
    hide_copy: int
    hides: tuple[Hide, ...]
    area_mm2: float
    dropped_mm2: float
    dropped_parts: int


def _price_per_m2(hide: Hide) -> float | None:
    """The hide's price per m² of leather (a whole-hide price spread over its area)."""
    if hide.price_per_m2 is not None:
        return hide.price_per_m2
    if hide.cost is not None and hide.area > 0:
        return hide.cost / (hide.area / 1e6)
    return None


def _open(geom, r: float):
    """Morphological opening by r, kept inside geom (removes slivers narrower than 2r)."""
    if r <= 0 or geom.is_empty:
        return geom
    opened = geom.buffer(-r, join_style="mitre", mitre_limit=MITRE_LIMIT).buffer(
        r, join_style="mitre", mitre_limit=MITRE_LIMIT)
    return opened.intersection(geom)


def _as_hide(part: Polygon, hide: Hide, hide_id: str, name: str) -> Hide:
    outline = Outline.of(np.asarray(part.exterior.coords)[:-1],
                         [np.asarray(r.coords)[:-1] for r in part.interiors], what=hide_id)
    zones = tuple(z for z in hide.zones if zone_region(z).intersects(part))
    return Hide(hide_id, outline, zones, hide.backbone, _price_per_m2(hide), None, 1, name)


def remnants(job: Job, solution: Solution, min_area_mm2: float = MIN_REMNANT_MM2
             ) -> list[Remnant]:
    """The remnant of every used hide copy of a valid layout (see the module docstring)."""
    if job.is_strip:
        raise InputError(f"job {job.name!r} is a strip job: remnants are left on hides",
                         hint="remnants need a job nested on hides")
    if not (math.isfinite(min_area_mm2) and min_area_mm2 >= 0):
        raise InputError(f"the minimum remnant area must be >= 0, got {min_area_mm2}")
    pieces = {p.id: p for p in job.pieces}
    hides = {h.id: h for h in job.hides}
    out = []
    for lay in solution.layouts:
        if not lay.placements or lay.hide_id is None:
            continue
        hide = hides[lay.hide_id]
        cut = shapely.union_all([
            Polygon(placed_shape(pieces[p.piece_id], p).exterior).buffer(
                job.gap_mm, join_style="mitre", mitre_limit=MITRE_LIMIT)
            for p in lay.placements])
        left = _open(hide_region(hide).difference(cut), SLIVER_MM)
        parts = sorted((p for p in shapely.get_parts(shapely.make_valid(left))
                        if isinstance(p, Polygon) and p.area > 0), key=lambda p: -p.area)
        kept = [p for p in parts if p.area >= min_area_mm2]
        dropped = [p for p in parts if p.area < min_area_mm2]
        base = f"{lay.hide_id}_{lay.hide_copy}"
        name = f"{hide.name} (copy {lay.hide_copy}) after {job.name}"
        made = tuple(_as_hide(p, hide, base if k == 0 else f"{base}.{k + 1}", name)
                     for k, p in enumerate(kept))
        out.append(Remnant(lay.hide_id, lay.hide_copy, made, sum(p.area for p in kept),
                           sum(p.area for p in dropped), len(dropped)))
    return out
