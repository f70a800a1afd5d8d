"""``leathernest nest``: read a job, nest it, validate, write the solution, picture and DXF."""

from __future__ import annotations

import dataclasses
import re
import signal
import sys
from pathlib import Path

import click

from leathernest.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_NO,
    emit_json,
    err,
    handle_errors,
    json_option,
)


def _default_out(job_name: str) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", job_name).strip("_") or "job"
    out = Path(f"{stem}-nest")
    k = 2
    while out.exists():
        out = Path(f"{stem}-nest-{k}")
        k += 1
    return out


@click.command("nest")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--time", "time_s", type=click.FloatRange(min=0.1), default=None,
              help="Time limit in seconds (default: the job's, else 60).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the job's, else 0).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for the search.")
@click.option("--gap", "gap_mm", type=click.FloatRange(min=0), default=None,
              help="Knife gap between pieces in mm (overrides the job).")
@click.option("--margin", "margin_mm", type=click.FloatRange(min=0), default=None,
              help="Distance kept from hide edges and defects in mm (overrides the job).")
@click.option("--engine", type=click.Choice(["auto", "baseline"]), default="auto",
              show_default=True, help="Which nester runs.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: a new folder named after the job).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@json_option
@handle_errors
def command(inputs: tuple[str, ...], time_s: float | None, seed: int | None, workers: int,
            gap_mm: float | None, margin_mm: float | None, engine: str, out_dir: str | None,
            quiet: bool, as_json: bool) -> None:
    """Nest INPUT and write solution.json and layout.svg into --out.

    INPUT is a leathernest job file, a jagua-rs instance (strip or hides) or the name of a bundled
    instance (see `leathernest datasets`). Every layout is checked by the exact validator before
    it is written. Prints one summary line (or, with --json, one JSON object).

    \b
    Examples:
      leathernest nest albano --time 10 --out out
      leathernest nest job.json --gap 2 --margin 3 --json
    """
    from leathernest.io.instance import load_job
    from leathernest.io.outputs import write_outputs
    from leathernest.nest import nest
    from leathernest.report import summary_line
    from leathernest.search.stop import StopToken

    if len(inputs) > 1:
        raise click.UsageError("give one job file or bundled instance name")
    job = load_job(inputs[0], warn=None if quiet else err)
    changes = {k: v for k, v in (("time_limit_s", time_s), ("seed", seed), ("gap_mm", gap_mm),
                                 ("margin_mm", margin_mm)) if v is not None}
    job = dataclasses.replace(job, **changes)
    stop = StopToken(job.time_limit_s)
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(_sig: int, _frame: object) -> None:
        stop.interrupt()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C aborts at once

    signal.signal(signal.SIGINT, on_sigint)
    try:
        solution = nest(job, engine=engine, stop=stop, workers=workers)
    finally:
        signal.signal(signal.SIGINT, previous)
    out = Path(out_dir) if out_dir else _default_out(job.name)
    paths = write_outputs(out, job, solution)
    if as_json:
        emit_json({"job": job.name, "kind": solution.kind, "seed": solution.seed,
                   "elapsed_s": solution.elapsed_s, "engine": solution.engine,
                   "interrupted": stop.interrupted, "metrics": dict(solution.metrics),
                   "unplaced": [{"item_id": u.piece_id, "copy": u.copy, "reason": u.reason.value}
                                for u in solution.unplaced],
                   "outputs": paths})
    else:
        click.echo(summary_line(job, solution))
        if not quiet:
            err(f"wrote {', '.join(paths.values())}")
    if stop.interrupted:
        err("leathernest: interrupted; the best valid layout so far was written")
        sys.exit(EXIT_INTERRUPTED)
    if solution.unplaced:
        sys.exit(EXIT_NO)
