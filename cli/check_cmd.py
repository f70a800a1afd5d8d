"""``leathernest check JOB SOLUTION``: the exact validator on any layout."""

from __future__ import annotations

import sys

import click

from leathernest.cli.common import EXIT_NO, emit_json, handle_errors, json_option, writing


@click.command("check")
@click.argument("job")
@click.argument("solution", type=click.Path(dir_okay=False))
@click.option("--svg", "svg_path", type=click.Path(dir_okay=False),
              help="Also draw the layout with the violating pieces outlined in red.")
@json_option
@handle_errors
def command(job: str, solution: str, svg_path: str | None, as_json: bool) -> None:
    """Check SOLUTION against JOB with the exact validator.

    JOB is a job file, a jagua-rs instance or a bundled name; SOLUTION a solution.json. The file
    must pass the solution schema and belong to JOB (exit 2 otherwise). Every rule is checked:
    overlap and gap, inside the hide or strip with the margin, off defects, grades, rotations,
    mirroring, grain, pairs and groups, demand, and each stated polygon against its placement.
    Lengths are compared within 1e-6 of the job's size (README: "How correct is a layout?").
    Exits 0 when the layout is valid, 1 with the violations listed otherwise.

    \b
    Example:
      leathernest check albano out/solution.json
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.io.instance import load_job
    from leathernest.io.solution_json import read_solution
    from leathernest.validate import validate

    the_job = load_job(job)
    read = read_solution(solution, the_job)
    sol = read.solution
    violations = validate(the_job, sol, drawn=read.drawn)
    if svg_path:
        from leathernest.io.svg import write_svg

        with writing("--svg", svg_path):
            write_svg(svg_path, the_job, sol, violations)
    if as_json:
        emit_json({"valid": not violations, "violations": [v.as_dict() for v in violations],
                   "placements": len(sol.placements)})
    elif violations:
        click.echo(f"{solution}: {len(violations)} violation(s)")
        for v in violations:
            click.echo(f"  {v}")
    else:
        click.echo(f"{solution}: valid ({len(sol.placements)} placements)")
    if violations:
        sys.exit(EXIT_NO)
