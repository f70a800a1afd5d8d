"""The hide copies of a job on one sheet: which copies, their leather, price, and packing axis.

The copies of the stock a job may use lie side by side on one sheet (one engine, one tracker; see
:mod:`leathernest.collision.hazards`). Each copy has an *axis*: a unit vector along its backbone
(or, without one, along the long side of its usable region), pointing away from the end where the
cutting starts. The trade starts at the butt and works outward, keeping the skin square (the
croupon, the firmest and best leather, goes to the pieces that need it: ``leather_domain.md``
sections 2 and 7), so the axis points away from the side that holds more of the hide's best
leather. The first layout packs pieces towards that end, and the search compresses them there
with the hide's wall (:meth:`leathernest.collision.engine.CollisionEngine.set_wall`), which keeps
the leather left over in one piece at the other end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from leathernest.config import HidesConfig
from leathernest.geometry.shapes import usable_region, zone_region
from leathernest.model import Hide, Job, hide_cost
from leathernest.search.units import hide_order


def sheet_containers(job: Job, cfg: HidesConfig) -> list[tuple[Hide, int]]:
    """The hide copies on the sheet, in the order they are opened: (hide, copy index)."""
    need = sum(p.area * p.n_copies for p in job.pieces if not p.optional)
    need = max(need, sum(p.area * p.n_copies for p in job.pieces))
    out: list[tuple[Hide, int]] = []
    for h in hide_order(job):
        usable = max(usable_region(h).area, 1e-9)
        cap = min(h.stock, math.ceil(need / (usable * cfg.min_fill)) + 1)
        out += [(h, c) for c in range(cap)]
    return out[: cfg.max_containers]


def hide_axis(hide: Hide) -> np.ndarray:
    """The hide's packing axis: unit vector pointing away from the end with the best leather.

    Along the backbone (first to last point) when it has one, else along the long side of the
    usable region's minimum rotated rectangle, else the x axis; turned round when the unmarked
    leather (no zone at all) lies towards its head.
    """
    region = usable_region(hide)
    d = np.array([1.0, 0.0])
    if hide.backbone is not None and len(hide.backbone) >= 2:
        d = np.asarray(hide.backbone[-1] - hide.backbone[0], dtype=np.float64)
    elif not region.is_empty:
        rect = np.asarray(shapely.minimum_rotated_rectangle(region).exterior.coords)[:3]
        e1, e2 = rect[1] - rect[0], rect[2] - rect[1]
        d = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    norm = float(np.hypot(*d))
    d = np.array([1.0, 0.0]) if norm < 1e-12 else d / norm
    zones = [zone_region(z) for z in hide.zones]
    best = region.difference(shapely.union_all(zones)) if zones else region
    if not best.is_empty and not region.is_empty and best.area < region.area:
        shift = np.array(best.centroid.coords[0]) - np.array(region.centroid.coords[0])
        if float(shift @ d) > 0.0:
            d = -d
    return d


@dataclass(frozen=True, eq=False)
class HideSheet:
    """Facts of the sheet's containers the hide search reads (index c: container c)."""

    slots: tuple[tuple[Hide, int], ...]  # (hide, copy index) of each container
    usable: np.ndarray  # float64[C]: usable leather (no holes, no grade-0 zones), mm²
    cost: np.ndarray  # float64[C]: the copy's price (0 without one)
    axis: np.ndarray  # float64[C, 2]: the packing axis (see the module docstring)
    span: np.ndarray  # float64[C, 2]: the usable region's extent along the axis, sheet frame

    @staticmethod
    def build(slots: list[tuple[Hide, int]], offsets: np.ndarray) -> HideSheet:
        """The facts of these copies, laid at the sheet offsets (float64[C, 2])."""
        axes: dict[int, np.ndarray] = {}
        regions: dict[int, object] = {}
        usable = np.zeros(len(slots))
        cost = np.zeros(len(slots))
        axis = np.zeros((len(slots), 2))
        span = np.zeros((len(slots), 2))
        for c, (h, _copy) in enumerate(slots):
            if id(h) not in axes:
                axes[id(h)] = hide_axis(h)
                regions[id(h)] = usable_region(h)
            region = regions[id(h)]
            usable[c] = region.area  # type: ignore[attr-defined]
            cost[c] = hide_cost(h) or 0.0
            axis[c] = axes[id(h)]
            ring = np.asarray(shapely.get_coordinates(region)) + offsets[c]
            proj = ring @ axis[c] if len(ring) else np.zeros(1)
            span[c] = (float(proj.min()), float(proj.max()))
        return HideSheet(tuple(slots), usable, cost, axis, span)

    @property
    def n(self) -> int:
        """Number of containers."""
        return len(self.slots)


__all__ = ["HideSheet", "hide_axis", "sheet_containers"]
