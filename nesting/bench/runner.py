"""The benchmark runner behind ``leathernest bench``: plan the matrix, run it, write the outputs.

Outputs in the chosen folder (each written atomically):

- ``runs.csv`` and ``runs.json``: one row per run (instance, kind, engine, seed, time limit,
  workers, density / strip length or hides used / utilisation, placed, demand, valid, wall time,
  machine, versions, commit); the JSON adds the anytime curves, the skipped cells and how the runs
  were executed;
- ``summary.md``: the per instance x engine table (:func:`leathernest.bench.tables.markdown_table`);
- ``report.html``: the same table and the curves over time (:mod:`leathernest.bench.plots`);
- ``layouts/``: the peers' layouts as they wrote them, for anyone who wants to re-check them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from leathernest.bench.execute import Execution, dask_available, run_dask, run_serial
from leathernest.bench.machine import git_commit, library_versions, machine_info
from leathernest.bench.peers import PEERS, Peer, find_peer, source_root
from leathernest.bench.plan import Skip, build_matrix
from leathernest.bench.plots import html_page
from leathernest.bench.runs import ENGINES
from leathernest.bench.tables import markdown_table, sort_rows, summarise, to_csv, to_json
from leathernest.errors import InputError
from leathernest.io.atomic import write_atomic


@dataclass
class BenchResult:
    """Everything a sweep produced: rows, skips, summary, context and the files written."""

    rows: list[dict]
    skipped: list[Skip]
    summary: list[dict]
    meta: dict
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def all_valid(self) -> bool:
        """Whether every run finished with a valid layout."""
        return all(r["valid"] for r in self.rows)


def find_peers(engines: list[str], spyrrow_python: str | None = None,
               packingsolver_python: str | None = None,
               peers_dir: str | None = None) -> dict[str, Peer]:
    """The requested peers as found on this machine (installed or with the reason they are not)."""
    pythons = {"sparrow": spyrrow_python, "packingsolver": packingsolver_python}
    return {e: find_peer(e, pythons[e], peers_dir) for e in engines if e in PEERS}


def run_benchmark(instances: list[str], seeds: list[int], time_limits: list[float],
                  engines: Sequence[str] = ENGINES, workers: int = 1,
                  out_dir: str | Path = "bench-out", use_dask: bool = True,
                  scheduler: str | None = None, n_workers: int | None = None,
                  spyrrow_python: str | None = None, packingsolver_python: str | None = None,
                  peers_dir: str | None = None, on_result: Callable[[dict], None] | None = None,
                  command: str = "") -> BenchResult:
    """Run instances x time limits x seeds x engines and write the outputs into ``out_dir``.

    Runs on a local Dask cluster by default, on ``scheduler`` when given, serially when
    ``use_dask`` is False or dask is not installed (said in ``meta["execution"]["notes"]``).
    """
    if not instances or not seeds or not time_limits or not engines:
        raise InputError("the benchmark matrix is empty",
                         hint="give at least one instance, seed, time limit and engine")
    engines = list(engines)
    peers = find_peers(engines, spyrrow_python, packingsolver_python, peers_dir)
    specs, skipped = build_matrix(instances, seeds, time_limits, engines, peers, workers)
    if not specs:
        reasons = "; ".join(f"{s.instance}/{s.engine}: {s.reason}" for s in skipped[:3])
        raise InputError(f"nothing to run ({reasons})",
                         hint="add --engines leathernest, or install the peers")
    out = Path(out_dir)
    layout_dir = str((out / "layouts").resolve())
    commit = git_commit(source_root())
    if scheduler is None and (not use_dask or not dask_available()):
        ex = Execution("serial", 1, workers)
        if use_dask:
            ex.notes.append("dask is not installed (pip install 'leathernest[bench]'): "
                            "ran serially")
        rows = run_serial(specs, peers, layout_dir, commit, on_result)
    else:
        rows, ex = run_dask(specs, peers, layout_dir, commit, scheduler, n_workers, on_result)
    rows = sort_rows(rows)
    summary = summarise(rows)
    meta = {
        "command": command, "commit": commit, "driver": machine_info(),
        "driver_versions": library_versions(), "execution": asdict(ex),
        "peers": {e: {"installed": p.installed, "version": p.version, "missing": p.missing,
                      "python": str(p.python or ""), "script": str(p.script or "")}
                  for e, p in peers.items()},
        "skipped": [asdict(s) for s in skipped], "summary": summary,
    }
    result = BenchResult(rows, skipped, summary, meta)
    result.paths = write_outputs(result, out)
    return result


def write_outputs(result: BenchResult, out: Path) -> dict[str, Path]:
    """Write runs.csv, runs.json, summary.md and report.html; their paths by name."""
    table = markdown_table(result.summary)
    head = f"Command: `{result.meta['command']}`\n\nCommit: {result.meta['commit']}\n\n"
    return {
        "csv": write_atomic(out / "runs.csv", to_csv(result.rows)),
        "json": write_atomic(out / "runs.json", to_json(result.rows, result.meta)),
        "summary": write_atomic(out / "summary.md", head + table),
        "html": write_atomic(out / "report.html",
                             html_page(result.rows, result.summary, result.meta)),
    }
