"""``leathernest demo``: the bundled leather-goods example, end to end, in one command."""

from __future__ import annotations

from pathlib import Path

import click

from leathernest.cli.common import compile_note, emit_json, err, handle_errors, json_option

DEMO_JOB = "demo_wallets"


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="demo-out",
              show_default=True, help="Folder for the demo's files.")
@click.option("--time", "time_s", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Time limit in seconds.")
@json_option
@handle_errors
def command(out_dir: str, time_s: float, as_json: bool) -> None:
    """Nest the bundled example: a wallet and card-holder order on a calf hide with defects.

    Writes solution.json, layout.svg, report.html and a cutter-ready DXF per hide into --out and
    says where. Open report.html in a browser to see the layout, the leather used per grade, the
    waste and the cost.
    """
    import dataclasses

    from leathernest.io.instance import load_job
    from leathernest.io.outputs import write_outputs
    from leathernest.nest import nest
    from leathernest.report import summary_line

    job = dataclasses.replace(load_job(DEMO_JOB), time_limit_s=time_s)
    compile_note(quiet=as_json)
    curve: list = []  # the search's improvements, for the report's anytime curve
    solution = nest(job, listener=curve.append)
    paths = write_outputs(Path(out_dir), job, solution, curve=curve)
    if as_json:
        emit_json({"job": job.name, "metrics": dict(solution.metrics), "outputs": paths})
        return
    click.echo(summary_line(job, solution))
    err(f"files in {out_dir}/: " + ", ".join(Path(p).name for p in paths.values()))
    err(f"open {Path(paths['report']).resolve()} in a browser to see the layout")
