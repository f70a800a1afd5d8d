"""``leathernest demo``: the bundled leather-goods example, end to end, in one command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leathernest.cli.common import (
    EXIT_INTERRUPTED,
    TIME,
    StopSignals,
    compile_note,
    effort_option,
    emit_json,
    err,
    handle_errors,
    json_option,
    usable_cores,
)
from leathernest.cli.progress import ProgressLine

DEMO_JOB = "demo_wallets"


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="demo-out",
              show_default=True, help="Folder for the demo's files.")
@click.option("--time", "time_s", type=TIME, default=20.0, show_default=True,
              help="Time limit in seconds.")
@effort_option
@json_option
@handle_errors
def command(out_dir: str, time_s: float, effort: int | None, as_json: bool) -> None:
    """Nest the bundled example: a wallet and card-holder order on a calf hide with defects.

    Writes solution.json, layout.svg, report.html and a cutter-ready DXF per hide into --out and
    says where. Open report.html in a browser to see the layout, the leather used per grade, the
    waste and the cost. Ctrl-C stops the search early and writes the best layout so far.
    """
    import dataclasses

    from leathernest.io.instance import load_job
    from leathernest.io.outputs import OutputFolder, write_outputs
    from leathernest.nest import nest, stop_token
    from leathernest.report.metrics import summary_line

    with StopSignals() as signals, OutputFolder(out_dir) as out:
        job = dataclasses.replace(load_job(DEMO_JOB), time_limit_s=time_s)
        out.claim()
        signals.keep()  # from here a signal keeps the best layout
        compile_note(as_json, job)
        if not as_json:
            err(f"nesting {job.name} for up to {time_s:g} s (Ctrl-C stops early and keeps the "
                "best layout) ...")
        stop = signals.watch(stop_token(job, effort))
        # on a terminal, the search's progress line as `nest` draws it; in every case the
        # improvements it keeps, for the report's anytime curve
        bar = ProgressLine(job.time_limit_s, enabled=not as_json)
        try:
            # every core the process may use, as `nest` does by default
            solution = nest(job, stop=stop, listener=bar, workers=usable_cores())
        finally:
            bar.close()
        signals.search_returned()
        paths = write_outputs(out, job, solution, stop=lambda: stop.interrupted, curve=bar.curve)
    if as_json:
        emit_json({"job": job.name, "metrics": dict(solution.metrics),
                   "interrupted": stop.interrupted, "outputs": paths})
    else:
        click.echo(summary_line(job, solution))
        names = [Path(p).name for v in paths.values() for p in ([v] if isinstance(v, str) else v)]
        err(f"files in {out_dir}/: " + ", ".join(names))
        err(f"open {Path(paths['report']).resolve()} in a browser to see the layout")  # type: ignore[arg-type]
    if stop.interrupted:
        err("leathernest: interrupted; the best valid layout so far was written")
        sys.exit(EXIT_INTERRUPTED)
