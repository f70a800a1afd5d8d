"""Why does a piece not go there? Per hide of a layout: the free leather, its remnant, what fits.

Run:  .venv/bin/python benchmarks/diagnose_layout.py JOB SOLUTION [--out FILE.md]

For each used hide copy of SOLUTION (a layout of JOB, as ``nest`` writes them) it prints, in
Markdown, the figures of :mod:`leathernest.report.remnants` (the one definition the solution, the
report and ``remnants`` use): the free leather (usable leather minus the pieces grown by the knife
gap), its largest solid part outside the layout's footprint (the remnant), the compactness
between them and how many parts there are; the largest disc inscribed in the free leather and in
the remnant's usable leather (shapely's ``maximum_inscribed_circle``: the widest round piece
either could take).

Then, per hide, every demanded piece left unplaced against that remnant, on the leather of the
grade it may use (the remnant less the zones it may not touch):

- **by area**: the piece's area is at most that leather's. Necessary, not sufficient;
- **by disc**: the piece's smallest enclosing circle fits the largest disc of that leather, less
  the job's larger margin (the disc may touch the hide's edge or a defect). Sufficient in any
  rotation, so such a piece fits there whatever its grain or rotations allow: a search that left
  it out missed room it had (pairs and same-hide groups are not checked here).

When the solution's ``config`` carries ``failed_targets`` (items such as ``{"kind": "eliminate",
"hide": id, "copy": n, "units": [piece ids]}``, written by the hide search), each hide lists the
units the search tried to move onto it and could not.

Exit 0 with the Markdown on stdout (and in ``--out``), 2 for bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from leathernest.errors import InputError
from leathernest.geometry.shapes import outline_polygon, zone_region
from leathernest.io.atomic import write_atomic
from leathernest.io.instance import load_job
from leathernest.io.solution_json import read_solution
from leathernest.model import Hide, Job, Piece, Solution
from leathernest.report.remnants import Leftover, layout_leftovers
from leathernest.validate import validate

DISC_TOLERANCE_MM = 0.5  # the inscribed discs' centres are found to this (shapely's tolerance)
M2 = 1e6


@dataclass(frozen=True)
class Fit:
    """One unplaced piece against one hide's remnant, on the leather of its grade."""

    piece: Piece
    unplaced: int
    room_mm2: float  # the remnant's leather this piece may lie on
    disc_mm: float  # diameter of the largest disc in that leather
    reach_mm: float  # diameter of the piece's smallest enclosing circle
    margin_mm: float

    @property
    def by_area(self) -> bool:
        """The piece's area is no more than the leather of its grade in the remnant."""
        return self.piece.area <= self.room_mm2

    @property
    def by_disc(self) -> bool:
        """The piece, in any rotation, fits the largest disc of that leather less the margin."""
        return self.reach_mm <= self.disc_mm - 2.0 * self.margin_mm


@dataclass(frozen=True)
class HideDiagnosis:
    """What one used hide copy leaves and what the unplaced pieces make of it."""

    hide: Hide
    copy: int
    pieces: int
    left: Leftover
    free_disc_mm: float
    remnant_disc_mm: float
    fits: tuple[Fit, ...]
    failed: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, units) the search could not move here


def disc_diameter(geom: BaseGeometry) -> float:
    """Diameter of the largest disc inside ``geom`` (0 for nothing)."""
    if geom.is_empty or geom.area <= 0:
        return 0.0
    return 2.0 * shapely.maximum_inscribed_circle(geom, DISC_TOLERANCE_MM).length


def grade_leather(hide: Hide, region: BaseGeometry, min_grade: int | None) -> BaseGeometry:
    """``region`` less the zones a piece of ``min_grade`` may not touch (None: every zone)."""
    blocking = [zone_region(z) for z in hide.zones if min_grade is None or z.grade < min_grade]
    return region.difference(shapely.union_all(blocking)) if blocking else region


Targets = dict[tuple[str, int], list[tuple[str, tuple[str, ...]]]]


def failed_targets(solution: Solution) -> tuple[Targets, int]:
    """The search's failed targets from the solution's config by (hide, copy), and how many
    items could not be read (no hide, a copy that is no number, units that are no list)."""
    raw = solution.config.get("failed_targets") or []
    out: Targets = defaultdict(list)
    items = raw if isinstance(raw, list) else [raw]
    bad = 0
    for item in items:
        units = item.get("units", []) if isinstance(item, dict) else None
        copy = item.get("copy", 0) if isinstance(item, dict) else None
        if (units is None or "hide" not in item or not isinstance(units, list)
                or not isinstance(copy, int) or isinstance(copy, bool)):
            bad += 1
            continue
        out[(str(item["hide"]), copy)].append((str(item.get("kind", "?")),
                                               tuple(str(u) for u in units)))
    return out, bad


def counted(names: tuple[str, ...]) -> str:
    """Piece ids with their counts, in first-seen order: ``a ×4, b``."""
    return ", ".join(n if c == 1 else f"{n} ×{c}" for n, c in Counter(names).items())


def diagnose(job: Job, solution: Solution) -> list[HideDiagnosis]:
    """The diagnosis of every used hide copy of the solution (module docstring)."""
    missing = Counter(u.piece_id for u in solution.unplaced)
    unplaced = [(job.piece(pid), n) for pid, n in sorted(missing.items())]
    failed, _bad = failed_targets(solution)
    margin = max(job.edge_margin, job.defect_margin)
    counts = Counter((lay.hide_id, lay.hide_copy) for lay in solution.layouts
                     for _p in lay.placements)
    out = []
    for hide, copy, left in layout_leftovers(job, solution):
        by_grade: dict[int | None, tuple[float, float]] = {}
        fits = []
        for piece, n in unplaced:
            if piece.min_grade not in by_grade:
                room = grade_leather(hide, left.remnant, piece.min_grade)
                by_grade[piece.min_grade] = (room.area, disc_diameter(room))
            room_mm2, disc = by_grade[piece.min_grade]
            reach = 2.0 * shapely.minimum_bounding_radius(outline_polygon(piece.outline))
            fits.append(Fit(piece, n, room_mm2, disc, reach, margin))
        out.append(HideDiagnosis(hide, copy, counts[(hide.id, copy)], left,
                                 disc_diameter(left.free), disc_diameter(left.usable_remnant),
                                 tuple(fits), tuple(failed.get((hide.id, copy), ()))))
    return out


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _grade(piece: Piece) -> str:
    return "best" if piece.min_grade is None else f">= {piece.min_grade}"


def markdown(job: Job, solution: Solution, diags: list[HideDiagnosis], problems: int) -> str:
    """The diagnosis as a Markdown document."""
    placed = len(solution.placements)
    demanded = placed + len(solution.unplaced)
    lines = [f"# Layout diagnosis: {job.name}", "",
             f"{placed}/{demanded} pieces on {len(diags)} hide copies, engine "
             f"{solution.engine or '-'}, seed {solution.seed}; the exact validator finds "
             f"{problems} violation(s). Gap {job.gap_mm:g} mm, margin {job.edge_margin:g} mm "
             f"(defects {job.defect_margin:g} mm). Definitions: `nesting/report/remnants.py`.", "",
             "| hide | pieces | free leather | remnant | compactness | parts | disc in free "
             "| disc in remnant |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {d.hide.id} #{d.copy} | {d.pieces} | {d.left.free_mm2 / M2:.4f} m² | "
              f"{d.left.remnant_mm2 / M2:.4f} m² | {d.left.compactness:.3f} | "
              f"{len(d.left.parts)} | Ø {d.free_disc_mm:.0f} mm | Ø {d.remnant_disc_mm:.0f} mm |"
              for d in diags]
    for d in diags:
        lines += ["", f"## {d.hide.id} #{d.copy}", ""]
        if d.fits:
            lines += ["Unplaced pieces against this hide's remnant (room and disc: the remnant's "
                      "leather of the grade the piece may use):", "",
                      "| piece | unplaced | area | grade | enclosing Ø | room | disc Ø "
                      "| by area | by disc |", "|---|---|---|---|---|---|---|---|---|"]
            lines += [f"| {f.piece.id} | {f.unplaced} | {f.piece.area / 100:.0f} cm² | "
                      f"{_grade(f.piece)} | {f.reach_mm:.0f} mm | {f.room_mm2 / 100:.0f} cm² | "
                      f"{f.disc_mm:.0f} mm | {_yes(f.by_area)} | {_yes(f.by_disc)} |"
                      for f in d.fits]
            sure = sorted({f.piece.id for f in d.fits if f.by_disc})
            if sure:
                lines += ["", f"Fit in any rotation, yet unplaced: {', '.join(sure)}."]
        else:
            lines.append("Every demanded piece is placed.")
        if d.failed:
            lines += ["", "The search tried to move here and failed:", ""]
            lines += [f"- {kind}: {counted(units) if units else '(no units named)'}"
                      for kind, units in d.failed]
    shown = {(d.hide.id, d.copy) for d in diags}
    targets, bad = failed_targets(solution)
    elsewhere = sorted((k, v) for k, v in targets.items() if k not in shown)
    if elsewhere:
        lines += ["", "## Failed targets on hide copies this layout does not use", ""]
        lines += [f"- {hide} #{copy}: {kind}: {', '.join(units) or '(no units named)'}"
                  for (hide, copy), items in elsewhere for kind, units in items]
    if bad:
        lines += ["", f"{bad} item(s) of the solution's failed_targets could not be read (each "
                  "needs a hide, a whole-number copy and a list of units)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the diagnosis (and write it to --out); exit 2 for bad input."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("job", help="the job as nested (job.json beside solution.json)")
    ap.add_argument("solution", help="a layout of that job (solution.json)")
    ap.add_argument("--out", type=Path, help="also write the Markdown to this file")
    args = ap.parse_args(argv)
    try:
        job = load_job(args.job)
        read = read_solution(args.solution, job)
        problems = len(validate(job, read.solution, drawn=read.drawn))
        text = markdown(job, read.solution, diagnose(job, read.solution), problems)
    except InputError as exc:
        print(f"diagnose_layout: {exc.one_line()}", file=sys.stderr)
        return 2
    if args.out:
        write_atomic(args.out, text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
