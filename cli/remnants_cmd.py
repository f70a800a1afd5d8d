"""``leathernest remnants JOB SOLUTION --out DIR``: the uncut leather of used hides, as stock."""

from __future__ import annotations

import click

from leathernest.cli.common import emit_json, err, handle_errors, json_option


@click.command("remnants")
@click.argument("job")
@click.argument("solution", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder for the remnant files.")
@click.option("--min-area-mm2", "min_area_mm2", type=click.FloatRange(min=0), default=None,
              help="Leave out parts of a remnant smaller than this, mm² [default: 10000, "
                   "10 x 10 cm].")
@json_option
@handle_errors
def command(job: str, solution: str, out_dir: str, min_area_mm2: float | None,
            as_json: bool) -> None:
    """Write the leather left on each used hide copy of SOLUTION as hides for the next order.

    JOB is the job as it was nested (`nest` writes it as job.json beside solution.json). For each
    used hide copy, DIR/<hide>_<copy>.json is a job file whose hides hold the remnant, the solid
    leather outside the layout's footprint (the cut pieces, their knife gap and the gaps between
    them narrower than 150 mm) where a 50 mm disc fits, zones and defects kept, in the hide's own
    coordinates: the largest part first, then the others by area. DIR/<hide>_<copy>.dxf is the
    largest part as DXF, <hide>_<copy>.2.dxf the next, and so on. The layout must be valid.

    \b
    Example:
      leathernest nest order1.json --out run1
      leathernest remnants run1/job.json run1/solution.json --out shelf
      leathernest nest order2.json --hides shelf/calf-1_0.json --out run2
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.errors import InputError
    from leathernest.io.instance import load_job
    from leathernest.io.outputs import OutputFolder
    from leathernest.io.remnant_files import write_remnants
    from leathernest.io.solution_json import read_solution
    from leathernest.report.remnants import MIN_REMNANT_MM2, remnants
    from leathernest.validate import validate

    the_job = load_job(job)
    read = read_solution(solution, the_job)
    sol = read.solution
    violations = validate(the_job, sol, drawn=read.drawn)
    if violations:
        raise InputError(f"the layout breaks {len(violations)} rule(s) of this job "
                         f"(first: {violations[0]})", path=solution,
                         hint=f"check it with: leathernest check {job} {solution}")
    limit = MIN_REMNANT_MM2 if min_area_mm2 is None else min_area_mm2
    found = remnants(the_job, sol, limit)
    with OutputFolder(out_dir) as out:
        out.claim()
        written = out.commit(lambda stage: {"remnants": [p.name for p in write_remnants(
            stage, the_job, found)]}, {"job": the_job.name})
    paths = written["remnants"]
    rows = [{"hide_id": r.hide_id, "hide_copy": r.hide_copy, "parts": len(r.hides),
             "area_mm2": r.area_mm2, "parts_mm2": list(r.parts_mm2), "free_mm2": r.free_mm2,
             "dropped_mm2": r.dropped_mm2, "dropped_parts": r.dropped_parts} for r in found]
    if as_json:
        emit_json({"remnants": rows, "outputs": [str(p) for p in paths]})
        return
    for r in rows:
        largest = (f" (largest {r['parts_mm2'][0] / 1e6:.3f} m²)" if r["parts"] > 1 else "")
        dropped = (f", {r['dropped_parts']} part(s) of {r['dropped_mm2'] / 1e6:.4f} m² below "
                   f"{limit:g} mm² left out" if r["dropped_parts"] else "")
        click.echo(f"{r['hide_id']} copy {r['hide_copy']}: remnant {r['area_mm2'] / 1e6:.3f} m² "
                   f"in {r['parts']} part(s){largest} of {r['free_mm2'] / 1e6:.3f} m² uncut"
                   f"{dropped}")
    if paths:
        err(f"wrote {', '.join(str(p) for p in paths)}")
    else:
        err("no remnant large enough to keep")
