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


def _outline_issue(outline: Outline) -> str | None:
    rings = (outline.outer, *outline.holes)
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
