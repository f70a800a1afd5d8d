"""``leathernest bench``: instances x time limits x seeds x engines, validated, tabled and plotted.

stdout carries the result only: the markdown summary table, or with ``--json`` one JSON object
(summary, skipped cells, execution, output paths). One line per finished run goes to stderr.
Exit code 0 when every run gave a valid layout, 1 when some did not (named on stderr).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import click

from leathernest.cli.common import (
    EXIT_NO,
    capped_workers,
    emit_json,
    err,
    handle_errors,
    json_option,
)
from leathernest.limits import MAX_SEED, MAX_TIME_S

ENGINE_NAMES = ("leathernest", "baseline", "sparrow", "packingsolver")


def _split(value: str, convert: Callable[[str], Any], what: str) -> list:
    """A comma-separated option; ``convert`` raises ValueError on an item it refuses."""
    try:
        items = [convert(v.strip()) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of {what}") from None
    if not items:
        raise click.BadParameter(f"give at least one {what[:-1]}")
    return items


def _seed(text: str) -> int:
    seed = int(text)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(text)
    return seed


def _time(text: str) -> float:
    t = float(text)
    if not (math.isfinite(t) and 0 < t <= MAX_TIME_S):
        raise ValueError(text)
    return t


def _describe(row: dict) -> str:
    if row["density"] is not None:
        figure = f"density {row['density']:.4f}"
    elif row["hides_used"] is not None:
        figure = f"{row['hides_used']} hides, utilisation {row['utilisation']:.4f}"
    else:
        figure = "no layout"
    state = "valid" if row["valid"] else f"INVALID ({row['error']})"
    wall = f"{row['wall_s']:.1f} s" if row["wall_s"] is not None else "-"
    return (f"{row['instance']} {row['engine']} seed {row['seed']} t {row['time_limit_s']:g}: "
            f"{figure}, {row['placed']}/{row['demand']} placed, {state} [{wall}]")


@click.command("bench")
@click.option("--instances", required=True,
              help="Comma-separated bundled names or instance files, e.g. albano,shirts.")
@click.option("--seeds", default="0", show_default=True, help="Comma-separated seeds.")
@click.option("--time", "times", default="10", show_default=True,
              help="Comma-separated time limits in seconds.")
@click.option("--engines", default=",".join(ENGINE_NAMES), show_default=True,
              help="Comma-separated engines; peers that are not installed are skipped.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Threads (or search processes) per run; also the size of a Dask task.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="bench-out",
              show_default=True, help="Folder for runs.csv, runs.json, summary.md, report.html.")
@click.option("--scheduler", default=None,
              help="Address of an existing Dask scheduler (default: a local cluster).")
@click.option("--n-workers", "n_workers", type=click.IntRange(min=1), default=None,
              help="Worker processes of the local cluster (default: cores // --workers).")
@click.option("--no-dask", is_flag=True, help="Run serially in this process.")
@click.option("--spyrrow-python", envvar="LEATHERNEST_SPYRROW_PYTHON", default=None,
              help="Python of a venv with spyrrow (default: .peers/venv-spyrrow/bin/python).")
@click.option("--packingsolver-python", envvar="LEATHERNEST_PACKINGSOLVER_PYTHON", default=None,
              help="Python of a venv with packingsolver "
                   "(default: .peers/venv-packingsolver/bin/python).")
@click.option("--peers-dir", envvar="LEATHERNEST_PEERS_DIR", default=None,
              help="Folder with spyrrow_strip.py and packingsolver_hides.py.")
@click.option("-q", "--quiet", is_flag=True, help="No per-run lines on stderr.")
@json_option
@handle_errors
def command(instances: str, seeds: str, times: str, engines: str, workers: int, out_dir: str,
            scheduler: str | None, n_workers: int | None, no_dask: bool,
            spyrrow_python: str | None, packingsolver_python: str | None, peers_dir: str | None,
            quiet: bool, as_json: bool) -> None:
    """Benchmark engines on instances: a matrix of time limits x seeds, every layout validated.

    Engines: leathernest, baseline, and (when installed) sparrow for strip instances and
    packingsolver for hide instances. Runs on a local Dask cluster unless --no-dask or
    --scheduler ADDRESS. Example:

      leathernest bench --instances albano,shirts --seeds 0,1 --time 10
    """
    from leathernest.bench import run_benchmark

    names = _split(instances, str, "instances")
    seed_list = _split(seeds, _seed, f"seeds (whole numbers 0 to {MAX_SEED})")
    time_list = _split(times, _time, f"time limits (seconds, at most {MAX_TIME_S:g})")
    workers = capped_workers(workers, quiet)
    engine_list = _split(engines, str, "engines")
    time_text = ",".join(f"{t:g}" for t in time_list)
    command_line = (f"leathernest bench --instances {','.join(names)} --seeds "
                    f"{','.join(map(str, seed_list))} --time {time_text}"
                    f" --engines {','.join(engine_list)} --workers {workers}")
    done = {"n": 0}

    def on_result(row: dict) -> None:
        done["n"] += 1
        if not quiet:
            err(f"[{done['n']}] {_describe(row)}")

    result = run_benchmark(names, seed_list, time_list, engine_list, workers=workers,
                           out_dir=out_dir, use_dask=not no_dask, scheduler=scheduler,
                           n_workers=n_workers, spyrrow_python=spyrrow_python,
                           packingsolver_python=packingsolver_python, peers_dir=peers_dir,
                           on_result=on_result, command=command_line)
    for s in result.skipped:
        err(f"skipped {s.instance} / {s.engine}: {s.reason}")
    for note in result.meta["execution"]["notes"]:
        err(f"note: {note}")
    bad = [r for r in result.rows if not r["valid"]]
    for r in bad:
        err(f"leathernest: invalid run: {_describe(r)}")
    if as_json:
        emit_json({"schema": 1, "command": command_line, "commit": result.meta["commit"],
                   "all_valid": result.all_valid, "execution": result.meta["execution"],
                   "summary": result.summary, "skipped": result.meta["skipped"],
                   "outputs": {k: str(v) for k, v in result.paths.items()}})
    else:
        from leathernest.bench.tables import markdown_table

        click.echo(markdown_table(result.summary), nl=False)
        err(f"wrote {result.paths['csv'].parent}/ (runs.csv, runs.json, summary.md, report.html)")
    if bad:
        sys.exit(EXIT_NO)
