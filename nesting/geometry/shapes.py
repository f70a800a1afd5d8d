"""The bridge between the model and shapely: outlines to polygons, validity checks, placed shapes.

Readers call :func:`check_outline` so that an open or self-intersecting ring is an
:class:`~leathernest.errors.InputError` naming the file and the piece, not a crash deep in a search.
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from leathernest.errors import InputError
from leathernest.geometry.transform import place_ring
from leathernest.model import Hide, Job, Outline, Piece, Placement, Strip, Zone


def outline_polygon(outline: Outline) -> Polygon:
    """The outline as a shapely polygon (no validity repair)."""
    return Polygon(outline.outer, list(outline.holes))


def check_outline(outline: Outline, what: str, path: str | None = None) -> Polygon:
    """Return the outline's polygon, or raise InputError when it is not a valid simple polygon."""
    poly = outline_polygon(outline)
    if not poly.is_valid:
        reason = explain_validity(poly)
        raise InputError(
            f"{what}: outline is not a simple polygon ({reason})",
            path=path,
            hint="fix the outline so no edge crosses another and holes lie inside",
        )
    return poly


def placed_polygon(piece: Piece, placement: Placement) -> Polygon:
    """The piece's outline under the placement, in absolute coordinates."""
    args = (placement.rotation_deg, placement.mirrored, placement.x, placement.y)
    outer = place_ring(piece.outline.outer, *args)
    holes = [place_ring(h, *args) for h in piece.outline.holes]
    return Polygon(outer, holes)


def hide_region(hide: Hide):
    """The hide's leather as a shapely geometry: the outer ring minus the union of its holes.

    Holes of digitised hides may cross the outer edge (a bite at the rim), so the holes are
    subtracted rather than taken as a polygon's interior rings, which would then be invalid.
    """
    outer = Polygon(hide.outline.outer)
    if not hide.outline.holes:
        return outer
    holes = shapely.union_all([Polygon(h) for h in hide.outline.holes])
    return outer.difference(holes)


def zone_region(zone: Zone):
    """A zone as a shapely geometry (outer minus holes, the same reading as for hides)."""
    outer = Polygon(zone.outline.outer)
    if not zone.outline.holes:
        return outer
    return outer.difference(shapely.union_all([Polygon(h) for h in zone.outline.holes]))


def check_rings(outline: Outline, what: str, path: str | None = None) -> None:
    """Raise InputError unless every ring of the outline is simple (used for hides and zones)."""
    for i, ring in enumerate((outline.outer, *outline.holes)):
        poly = Polygon(ring)
        if not poly.is_valid:
            name = "outer ring" if i == 0 else f"hole {i - 1}"
            raise InputError(
                f"{what}: {name} crosses itself ({explain_validity(poly)})",
                path=path,
                hint="redraw the ring so that no edge crosses another",
            )


def usable_region(hide: Hide):
    """The leather a piece could use at all: the hide minus its holes and grade-0 zones."""
    region = hide_region(hide)
    defects = [zone_region(z) for z in hide.zones if z.grade == 0]
    return region.difference(shapely.union_all(defects)) if defects else region


def job_size(job: Job) -> float:
    """The job's size in mm: the stock's largest bounding-box diagonal, or the strip's height."""
    if isinstance(job.stock, Strip):
        return job.stock.height
    diag = 0.0
    for h in job.stock:
        x0, y0, x1, y1 = h.outline.bbox
        diag = max(diag, math.hypot(x1 - x0, y1 - y0))
    return diag
