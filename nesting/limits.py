"""The documented bounds on every size a user controls, checked once when a job is read.

A job beyond a bound is refused with an :class:`~leathernest.errors.InputError` naming the file and
the bound (exit code 2), before any search allocates memory for it. The README's "Limits" section
lists the same numbers; the command line bounds its own options (time, effort, workers) in
:mod:`leathernest.cli.common`.

The bounds are far above every bundled instance (the largest: gardeyn3 with 100 copies; baldacci3
with 19,119 vertices and 1,909 in one ring; coordinates up to 11,800 mm) and far below where
float64 or memory give way.

This module imports no numpy at run time, so that the command line can take its bounds from here
and still start instantly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leathernest.errors import InputError

if TYPE_CHECKING:
    from leathernest.model import Job, Outline

MAX_TIME_S = 1e6  # a time limit of about 11.6 days
# The unit of a work budget (``--effort N``): N x 1000 collision evaluations, one sample tested
# for feasibility or loss (see leathernest.search.stop).
EFFORT_UNIT = 1000
MAX_EFFORT = 10**9  # in EFFORT_UNIT
MAX_SEED = 2**32 - 1
MAX_COORD_MM = 1e6  # |coordinate| after units: 1 km; float64 keeps 0.1 nm there
MIN_EXTENT_MM = 0.01  # a piece or hide narrower than this in both directions is a units mistake
MAX_COPIES = 10_000  # copies of all pieces together (demand x 2 for mirrored pairs)
MAX_HIDE_COPIES = 1_000  # hides times their stock
MAX_RING_VERTICES = 10_000  # vertices of one ring (outline or hole) of a piece, hide or zone
MAX_JOB_VERTICES = 500_000  # vertices of every outline of the job together
MAX_GAP_MM = 1_000.0  # gap between pieces and margin to the edges
MAX_PIECE_ENTRIES = MAX_COPIES  # entries of "pieces" (or "items"), demand 0 included
MAX_HIDE_ENTRIES = MAX_HIDE_COPIES  # entries of "hides" (or "bins")
# Holes of one outline (piece, hide or zone), and zones (defects and graded areas) of one hide:
# the engine unions, grows and simplifies them per piece and per hide, in every worker; a generated
# skin has up to about 40 zones, a photographed one tens of marks, a belt a few dozen punched
# holes. At 500 zones a 20-piece order still nests within --time 2 (2,000 zones: the engine's
# preparation alone took the 2 s on the loaded project machine, nothing was placed).
MAX_HOLES = 1_000
MAX_ZONES = 500


def _outline_issue(outline: Outline) -> str | None:
    rings = (outline.outer, *outline.holes)
    if len(outline.holes) > MAX_HOLES:
        return f"has {len(outline.holes):,} holes; the limit is {MAX_HOLES:,}"
    if any(len(r) > MAX_RING_VERTICES for r in rings):
        return f"has a ring of more than {MAX_RING_VERTICES:,} vertices"
    if max(float(abs(r).max()) for r in rings) > MAX_COORD_MM:
        return f"has coordinates beyond ±{MAX_COORD_MM:g} mm"
    return None


def check_limits(job: Job, path: str | None = None) -> None:
    """Raise InputError when the job is beyond a documented bound (message names the file)."""

    def refuse(message: str, hint: str) -> None:
        raise InputError(message, path=path, hint=hint)

    copies = sum(p.n_copies for p in job.pieces)
    if copies > MAX_COPIES:
        refuse(f"the job asks for {copies:,} copies; leathernest nests at most {MAX_COPIES:,} "
               "in one job", "split the order into several jobs")
    hide_copies = sum(h.stock for h in job.hides)
    if hide_copies > MAX_HIDE_COPIES:
        refuse(f"the job offers {hide_copies:,} hides (with their stock); at most "
               f"{MAX_HIDE_COPIES:,} are searched", "lower the stock of the hides")
    if not job.is_strip and hide_copies == 0:
        refuse("no hide is in stock (every stock is 0)", "give at least one hide a stock >= 1")
    for name, value in (("gap_mm", job.gap_mm), ("margin_mm", job.margin_mm),
                        ("edge_margin_mm", job.edge_margin), ("defect_margin_mm",
                                                              job.defect_margin)):
        if value > MAX_GAP_MM:
            refuse(f"{name} {value:g} is beyond the limit of {MAX_GAP_MM:g} mm",
                   "give the gap and margin in millimetres")
    height = getattr(job.stock, "height", 0.0)
    if height > MAX_COORD_MM:
        refuse(f"strip height {height:g} mm is beyond the limit of {MAX_COORD_MM:g} mm",
               "check the units")
    if job.time_limit_s > MAX_TIME_S:
        refuse(f"time limit {job.time_limit_s:g} s is beyond the limit of {MAX_TIME_S:g} s",
               "give the time limit in seconds")
    for h in job.hides:
        if len(h.zones) > MAX_ZONES:
            refuse(f"hide {h.id!r} has {len(h.zones):,} zones and defects; the limit is "
                   f"{MAX_ZONES:,}", "merge neighbouring defects into one zone")
    vertices = 0
    things = [(f"piece {p.id!r}", p.outline) for p in job.pieces]
    things += [(f"hide {h.id!r}", h.outline) for h in job.hides]
    things += [(f"zone {k} of hide {h.id!r}", z.outline) for h in job.hides
               for k, z in enumerate(h.zones)]
    for what, outline in things:
        vertices += outline.n_vertices
        issue = _outline_issue(outline)
        if issue is not None:
            refuse(f"{what} {issue}", "check the units, or simplify the outline")
    for what, outline in things:
        if what.startswith("zone"):
            continue
        x0, y0, x1, y1 = outline.bbox
        if max(x1 - x0, y1 - y0) < MIN_EXTENT_MM:
            refuse(f"{what} is smaller than {MIN_EXTENT_MM:g} mm across", "check the units")
    if vertices > MAX_JOB_VERTICES:
        refuse(f"the job's outlines have {vertices:,} vertices together; the limit is "
               f"{MAX_JOB_VERTICES:,}", "simplify the outlines (fewer points per curve)")
    for p in job.pieces:
        paths = [*p.cut_paths, *(f.path for f in p.features if f.path is not None)]
        if any(float(abs(c.points).max()) > MAX_COORD_MM for c in paths):
            refuse(f"piece {p.id!r}: a cut path or feature has coordinates beyond "
                   f"±{MAX_COORD_MM:g} mm", "check the units")
    for h in job.hides:
        bb = h.backbone
        if bb is None:
            continue
        if float(abs(bb).max()) > MAX_COORD_MM:
            refuse(f"hide {h.id!r}: the backbone has coordinates beyond ±{MAX_COORD_MM:g} mm",
                   "check the units")
        if not (bb[1:] != bb[:-1]).any():
            refuse(f"hide {h.id!r}: the backbone has no length (all its points coincide)",
                   "draw the backbone along the hide's spine, or leave it out")


# --------------------------------------------------------------------------------------------------
# Before the schema: counts in the parsed JSON, so that no validator or reader walks a job far
# beyond the limits (a 200 MB job of 8.8 M vertices is refused in a second, not after minutes).


def _len(value: object) -> int:
    return len(value) if isinstance(value, list) else 0


def _rings(outline: object) -> tuple[int, int, int]:
    """(vertices, holes, largest ring) of a job outline or a jagua shape's data, if well formed."""
    if isinstance(outline, dict):
        outer = outline.get("outer")
        holes = outline.get("holes", outline.get("inner"))
        holes = holes if isinstance(holes, list) else []
        sizes = [_len(outer), *(_len(h) for h in holes)]
        return sum(sizes), len(holes), max(sizes)
    n = _len(outline)
    return n, 0, n


def check_json_sizes(data: object, path: str | None = None) -> None:
    """Refuse parsed job or jagua JSON beyond the counting limits, before any schema check.

    Malformed parts are skipped (the schema names them afterwards); only counts are checked here:
    pieces and hides, vertices of one ring and of the job, holes of an outline, zones of a hide.
    """
    if not isinstance(data, dict):
        return

    def refuse(message: str, hint: str) -> None:
        raise InputError(message, path=path, hint=hint)

    jagua = "items" in data and "format" not in data
    pieces = data.get("items" if jagua else "pieces")
    hides = data.get("bins" if jagua else "hides")
    pieces = pieces if isinstance(pieces, list) else []
    hides = hides if isinstance(hides, list) else []
    if len(pieces) > MAX_PIECE_ENTRIES:
        refuse(f"the job lists {len(pieces):,} pieces; the limit is {MAX_PIECE_ENTRIES:,}",
               "split the order into several jobs")
    if len(hides) > MAX_HIDE_ENTRIES:
        refuse(f"the job lists {len(hides):,} hides; the limit is {MAX_HIDE_ENTRIES:,}",
               "split the stock into several jobs")
    outlines: list[tuple[str, object]] = []
    for i, p in enumerate(pieces):
        if isinstance(p, dict):
            shape = p.get("shape", {}).get("data") if jagua and isinstance(
                p.get("shape"), dict) else p.get("outline")
            outlines.append((f"piece {i}", shape))
    for i, h in enumerate(hides):
        if not isinstance(h, dict):
            continue
        shape = h.get("shape", {}).get("data") if jagua and isinstance(
            h.get("shape"), dict) else h.get("outline")
        outlines.append((f"hide {i}", shape))
        zones = h.get("zones")
        if _len(zones) > MAX_ZONES:
            refuse(f"hide {i} has {len(zones):,} zones and defects; the limit is {MAX_ZONES:,}",
                   "merge neighbouring defects into one zone")
        for k, z in enumerate(zones if isinstance(zones, list) else []):
            if isinstance(z, dict):
                zshape = z.get("shape", {}).get("data") if jagua and isinstance(
                    z.get("shape"), dict) else z.get("outline")
                outlines.append((f"zone {k} of hide {i}", zshape))
    total = 0
    for what, outline in outlines:
        n, holes, largest = _rings(outline)
        total += n
        if holes > MAX_HOLES:
            refuse(f"{what} has {holes:,} holes; the limit is {MAX_HOLES:,}",
                   "merge small holes, or leave them out of the nesting outline")
        if largest > MAX_RING_VERTICES:
            refuse(f"{what} has a ring of {largest:,} vertices; the limit is "
                   f"{MAX_RING_VERTICES:,}", "simplify the outline (fewer points per curve)")
    if total > MAX_JOB_VERTICES:
        refuse(f"the job's outlines have {total:,} vertices together; the limit is "
               f"{MAX_JOB_VERTICES:,}", "simplify the outlines (fewer points per curve)")
