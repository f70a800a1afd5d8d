"""Strip packing against Sparrow: leathernest and spyrrow, same instances, seconds and workers.

For every time limit (``--time 30,120``) and every instance (default: every ``*.json`` of the
nearest ``shared/data/strip`` above the checkout, else the bundled ``datasets/esicup`` copies; or
the names and files given), leathernest and then Sparrow run one after the other with the same
seed and worker count (``--workers 2``: leathernest's search processes, Sparrow's ``--workers``
as ``../shared/peers/spyrrow_strip.py`` takes it):

- leathernest through :func:`leathernest.nest.nest`, which validates every layout exactly (a
  violation makes the run invalid and the exit code 1);
- Sparrow through its peer script, in its own venv; its layout is checked independently by
  :mod:`leathernest.bench.peer_check` (rigid shapes, allowed rotations, inside the strip, no
  overlap, demand) and its density recomputed from the polygons by our definition (placed area /
  (height x length)); Sparrow's own figure is logged beside it.

Prints one markdown table per time limit (density, ratio leathernest / Sparrow per instance and
the geometric mean) and a summary of the ratios; ``--out`` writes them, ``--log`` appends every
run as one JSON line (the search's work counters included).

    .venv/bin/python benchmarks/strip_peers.py --time 30,120 --workers 2 \\
        --out bench-out/strip.md --log bench-out/strip.jsonl
    .venv/bin/python benchmarks/strip_peers.py shirts --time 3          # smoke test

Exit code 0 when every layout of both engines was complete and valid, 1 otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import benchlib as bl

from leathernest.bench.peer_check import check_peer_layout
from leathernest.bench.peers import run_peer
from leathernest.errors import InputError
from leathernest.io.instance import load_job, resolve
from leathernest.model import Job
from leathernest.nest import warm_up
from leathernest.search.stop import StopToken

BUNDLED = bl.ROOT / "datasets" / "esicup"
RATIO_TARGET, GEOMEAN_TARGET = 0.97, 1.00  # issue 13: per instance, and as a geometric mean


def instance_paths(names: list[str], folder: str | None) -> list[Path]:
    """The instances to run: the names or files given, else every file of the folder."""
    if names:
        return [resolve(n) for n in names]
    d = Path(folder) if folder else (bl.shared_dir("data", "strip") or BUNDLED)
    return sorted(d.glob("*.json"))


def run_ours(job: Job, time_s: float, seed: int, workers: int) -> dict:
    """One validated leathernest run (never raises: failures are rows)."""
    job = dataclasses.replace(job, seed=seed, time_limit_s=time_s)
    row: dict = {"engine": "leathernest", "valid": False, "complete": False, "error": ""}
    t0, c0 = time.perf_counter(), bl.cpu_seconds()
    sol = bl.nest_recorded(job, row, stop=StopToken(time_s), workers=workers)
    if sol is None:
        return row
    m = sol.metrics
    row.update(valid=True, complete=m["pieces_unplaced"] == 0, density=m["density"],
               strip_length=m["strip_length"], placed=m["pieces_placed"],
               demand=m["pieces_demanded"], wall_s=round(time.perf_counter() - t0, 3),
               cpu_s=round(bl.cpu_seconds() - c0, 3), work=sol.config.get("work"),
               work_per_worker=sol.config.get("work_per_worker"),
               best_worker=sol.config.get("best_worker"))
    return row


def run_sparrow(peer, path: Path, job: Job, time_s: float, seed: int, workers: int,
                layout_dir: Path) -> dict:
    """One Sparrow run; its layout checked and its density recomputed by peer_check."""
    row: dict = {"engine": "sparrow", "valid": False, "complete": False, "error": ""}
    if not peer.installed:
        row["error"] = f"not installed: {peer.missing}"
        return row
    layout = layout_dir / f"{path.stem}-sparrow-t{time_s:g}-s{seed}-w{workers}.layout.json"
    layout.unlink(missing_ok=True)
    t0 = time.perf_counter()
    try:
        line = run_peer(peer, path, time_s, seed, workers, layout)
    except RuntimeError as exc:
        row["error"] = str(exc)
        return row
    row.update(wall_s=round(time.perf_counter() - t0, 3), peer_line=line,
               density_reported=line.get("density"))
    if not layout.exists():
        row["error"] = "the peer wrote no layout"
        return row
    score = check_peer_layout(job, json.loads(layout.read_text(encoding="utf-8")))
    row.update(valid=score.valid, complete=score.placed == score.demand, density=score.density,
               strip_length=score.strip_length, placed=score.placed, demand=score.demand,
               violations=score.violations[:5], n_violations=len(score.violations),
               layout=str(layout))
    if score.violations:
        row["error"] = f"{len(score.violations)} violations: " + "; ".join(score.violations[:2])
    return row


def ratio(r: dict) -> float | None:
    """leathernest / Sparrow density when both layouts are complete and valid."""
    a, b = r["leathernest"], r["sparrow"]
    ok = all(x["valid"] and x["complete"] and x.get("density") for x in (a, b))
    return a["density"] / b["density"] if ok else None


def _cell(r: dict) -> str:
    if not r["valid"] or not r["complete"]:
        why = r["error"] or f"{r.get('placed')}/{r.get('demand')} placed"
        return f"**{why}**"
    return bl.pct(r["density"])


def table(rows: list[dict], time_s: float, seed: int, workers: int) -> list[str]:
    """The markdown table of one time limit."""
    out = [f"### {time_s:g} s, seed {seed}, {workers} workers each", "",
           "Densities in %; ratio = leathernest / Sparrow (Sparrow's density recomputed from its "
           "polygons; its own figure in brackets).", "",
           "| instance | leathernest | Sparrow | ratio | moves / iterations (best worker) "
           "| leathernest wall s | Sparrow wall s |", "|---|---:|---:|---:|---:|---:|---:|"]
    ratios = []
    for r in rows:
        le, sp = r["leathernest"], r["sparrow"]
        q = ratio(r)
        if q is not None:
            ratios.append(q)
        w = le.get("work") or {}
        own = f" ({bl.pct(sp['density_reported'])})" if sp.get("density_reported") else ""
        out.append(f"| {r['instance']} | {_cell(le)} | {_cell(sp)}{own} | "
                   f"{'-' if q is None else f'{q:.3f}'} | {w.get('moves', '-')} / "
                   f"{w.get('iterations', '-')} | {le.get('wall_s', '-')} | "
                   f"{sp.get('wall_s', '-')} |")
    n_ok = len(ratios)
    out.append(f"| **geometric mean** ({n_ok} of {len(rows)}) | "
               f"{bl.pct(bl.geomean([r['leathernest'].get('density') for r in rows if ratio(r)]))}"
               f" | {bl.pct(bl.geomean([r['sparrow'].get('density') for r in rows if ratio(r)]))}"
               f" | **{bl.geomean(ratios):.3f}** | | | |")
    return out


def summary(by_time: dict[float, list[dict]]) -> list[str]:
    """Ratios per instance and time limit, the geometric means, and the targets."""
    times = list(by_time)
    names = [r["instance"] for r in next(iter(by_time.values()))] if by_time else []
    out = ["| instance | " + " | ".join(f"ratio {t:g} s" for t in times) + " |",
           "|---|" + "---:|" * len(times)]
    for i, name in enumerate(names):
        cells = []
        for t in times:
            q = ratio(by_time[t][i])
            cells.append("-" if q is None else f"{q:.3f}" + ("" if q >= RATIO_TARGET else " *"))
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    means = [bl.geomean([q for r in by_time[t] if (q := ratio(r))]) for t in times]
    out.append("| **geometric mean** | " + " | ".join(f"**{m:.3f}**" for m in means) + " |")
    out += ["", f"Targets: ratio >= {RATIO_TARGET} on every instance (* marks those below) and "
            f"a geometric mean >= {GEOMEAN_TARGET:.2f}, at every time limit."]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run every (time limit, instance) pair; print and write the tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("instances", nargs="*", help="names or files (default: every file of --dir)")
    ap.add_argument("--dir", help="folder of instances (default: shared/data/strip, else the "
                                  "bundled datasets/esicup)")
    ap.add_argument("--time", default="30,120", help="time limits in s (default 30,120)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2, help="for both engines (default 2)")
    ap.add_argument("--out", help="write the markdown tables here")
    ap.add_argument("--log", help="append every run as a JSON line here")
    ap.add_argument("--out-dir", default="bench-out/strip", help="Sparrow's layouts")
    args = ap.parse_args(argv)
    times = bl.parse_list(args.time, float)
    paths = instance_paths(args.instances, args.dir)
    if not paths:
        print("strip_peers: no instances found", file=sys.stderr)
        return 2
    try:  # every instance read before the first run: a typo must not cost an hour
        jobs = [(p, load_job(p)) for p in paths]
    except InputError as exc:
        print(f"strip_peers: {exc}", file=sys.stderr)
        return 2
    layout_dir = Path(args.out_dir)
    layout_dir.mkdir(parents=True, exist_ok=True)
    head = bl.header("strip_peers.py", args)
    head["instances"] = [str(p) for p in paths]
    log = bl.JsonlLog(args.log, head)
    print(bl.header_line(head), file=sys.stderr)
    peer = bl.find_peer_here("sparrow")
    if not peer.installed:
        print(f"Sparrow not run: {peer.missing}", file=sys.stderr)
    warm_up()  # compile or load the kernels before any clock starts
    by_time: dict[float, list[dict]] = {}
    for t in times:
        rows = by_time.setdefault(t, [])
        for path, job in jobs:
            row = {"instance": path.stem, "time_limit_s": t, "seed": args.seed,
                   "workers": args.workers,
                   "leathernest": run_ours(job, t, args.seed, args.workers),
                   "sparrow": run_sparrow(peer, path, job, t, args.seed, args.workers,
                                          layout_dir)}
            rows.append(row)
            log.write(row)
            q = ratio(row)
            print(f"{t:g} s {path.stem}: leathernest {_cell(row['leathernest'])}, Sparrow "
                  f"{_cell(row['sparrow'])}, ratio {'-' if q is None else f'{q:.3f}'}",
                  file=sys.stderr, flush=True)
    parts = ["# strip_peers.py", "", bl.header_line(head), ""]
    for t, rows in by_time.items():
        parts += [*table(rows, t, args.seed, args.workers), ""]
    parts += ["### Ratios", "", *summary(by_time)]
    text = "\n".join(parts) + "\n"
    print(text)
    bl.write_text(args.out, text)
    ok = all(r[e]["valid"] and r[e]["complete"] for rows in by_time.values() for r in rows
             for e in ("leathernest", "sparrow"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
