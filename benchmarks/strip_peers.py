"""Strip packing against Sparrow: leathernest, the baseline nester and spyrrow, same run.

For every instance (default: every bundled ESICUP strip instance, the same files as
``../shared/data/strip``) the three engines run one after the other with the same time limit,
seed and worker count:

- leathernest's strip optimiser and the baseline nester through the CLI
  (``leathernest nest INSTANCE --engine strip|baseline --json``), which validates every layout
  with the exact validator before it reports it;
- Sparrow through the peer script ``spyrrow_strip.py`` (run with the Python of its own venv),
  whose layout file is checked here with shapely: no two items overlapping (area above a
  tolerance), every item inside ``[0, L] x [0, H]``, and the density recomputed from the polygons.

Prints a markdown table (instance, densities, ratio leathernest/Sparrow, geometric means) and
writes it with ``--out``; ``--log`` keeps every result line as JSON.

Usage::

    .venv/bin/python benchmarks/strip_peers.py --time 30 --seed 0 --workers 1 \
        --out benchmarks/strip_peers_30s.md [INSTANCE ...]

Set up the peer first (outside the repository tree that is committed)::

    python3 -m venv .peers/venv-spyrrow
    .peers/venv-spyrrow/bin/pip install spyrrow==0.9.0 shapely
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import shapely
from shapely.geometry import Polygon

ROOT = Path(__file__).resolve().parents[1]
ESICUP = ROOT / "datasets" / "esicup"
PEER_PY = ROOT / ".peers" / "venv-spyrrow" / "bin" / "python"
PEER_SCRIPT = Path("/work/shared/peers/spyrrow_strip.py")
# Sparrow works in f32: its layouts are accepted with these tolerances (relative to the total
# item area and to the strip height).
PEER_OVERLAP_REL = 1e-5
PEER_OUTSIDE_REL = 1e-5


def run_cli(instance: Path, engine: str, time_s: float, seed: int, workers: int) -> dict:
    """One leathernest run through the CLI; the CLI validates before it reports."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(ROOT / ".venv" / "bin" / "leathernest"), "nest", str(instance), "--engine",
               engine, "--time", str(time_s), "--seed", str(seed), "--workers", str(workers),
               "--out", str(Path(out) / "o"), "--json", "-q"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        return {"ok": False, "error": proc.stderr.strip().splitlines()[-1:], "wall_s": wall}
    res = json.loads(proc.stdout)
    m = res["metrics"]
    return {"ok": m["pieces_unplaced"] == 0, "density": m["density"],
            "strip_length": m["strip_length"], "wall_s": round(wall, 2),
            "elapsed_s": round(res["elapsed_s"], 2), "valid": True}


def check_peer_layout(instance: dict, layout: dict) -> dict:
    """Shapely check of a neutral layout: overlaps, containment, density recomputed."""
    h = float(instance["strip_height"])
    length = float(layout["strip_length"])
    polys = [Polygon(p["polygon"]) for b in layout["bins"] for p in b["placements"]]
    area = sum(p.area for p in polys)
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    overlap = sum(polys[i].intersection(polys[j]).area
                  for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j)
    x0, y0, x1, y1 = shapely.total_bounds(polys)
    outside = max(0.0 - x0, 0.0 - y0, x1 - length, y1 - h, 0.0)
    valid = overlap <= PEER_OVERLAP_REL * area and outside <= PEER_OUTSIDE_REL * h
    return {"valid": bool(valid), "overlap_mm2": overlap, "outside_mm": outside,
            "density_recomputed": area / (h * length), "n_items": len(polys)}


def run_peer(instance_path: Path, time_s: float, seed: int, workers: int) -> dict:
    """Sparrow through its peer script; its layout is checked here."""
    with tempfile.TemporaryDirectory() as out:
        lay = Path(out) / "layout.json"
        cmd = [str(PEER_PY), str(PEER_SCRIPT), str(instance_path), "--time",
               str(max(round(time_s), 1)), "--seed", str(seed), "--workers", str(workers),
               "--layout", str(lay)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            return {"ok": False, "error": proc.stderr.strip().splitlines()[-1:], "wall_s": wall}
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        check = check_peer_layout(json.loads(instance_path.read_text()),
                                  json.loads(lay.read_text()))
    return {"ok": res["placed"] == res["demand"], "density": res["density"],
            "strip_length": res["strip_length"], "wall_s": round(wall, 2), **check}


def geomean(values: list[float]) -> float:
    """Geometric mean (nan when empty)."""
    vals = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in vals) / len(vals)) if vals else math.nan


def fmt(v: float | None) -> str:
    """Percentage with two decimals, or a dash."""
    return "-" if v is None or not math.isfinite(v) else f"{100.0 * v:.2f}"


def table(rows: list[dict], args: argparse.Namespace) -> str:
    """The markdown table of one run."""
    lines = [
        f"Time limit {args.time:g} s, seed {args.seed}, workers {args.workers}; densities in %; "
        "ratio = leathernest / Sparrow.",
        "",
        "| instance | baseline | leathernest | Sparrow | ratio | Sparrow layout check |",
        "|---|---:|---:|---:|---:|---|",
    ]
    ratios, dens = [], {"baseline": [], "leathernest": [], "sparrow": []}
    for r in rows:
        b, le, sp = (r[k].get("density") for k in ("baseline", "leathernest", "sparrow"))
        ratio = le / sp if le and sp else None
        if ratio:
            ratios.append(ratio)
        for k, v in (("baseline", b), ("leathernest", le), ("sparrow", sp)):
            if v:
                dens[k].append(v)
        chk = r["sparrow"]
        note = ("valid" if chk.get("valid") else "INVALID") + (
            f" (overlap {chk.get('overlap_mm2', 0):.2g} mm², recomputed "
            f"{fmt(chk.get('density_recomputed'))})" if "valid" in chk else "")
        lines.append(f"| {r['instance']} | {fmt(b)} | {fmt(le)} | {fmt(sp)} | "
                     f"{'-' if ratio is None else f'{ratio:.3f}'} | {note} |")
    lines.append(f"| **geometric mean** | {fmt(geomean(dens['baseline']))} | "
                 f"{fmt(geomean(dens['leathernest']))} | {fmt(geomean(dens['sparrow']))} | "
                 f"**{geomean(ratios):.3f}** | |")
    return "\n".join(lines)


def main() -> None:
    """Run the comparison and print (and optionally write) the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("instances", nargs="*", help="instance names or paths (default: all ESICUP)")
    ap.add_argument("--time", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", help="write the markdown table here")
    ap.add_argument("--log", help="append every result as a JSON line here")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    paths = [Path(i) if i.endswith(".json") else ESICUP / f"{i}.json" for i in args.instances]
    paths = paths or sorted(ESICUP.glob("*.json"))
    head = (f"machine: {platform.machine()} {os.cpu_count()} cores, "
            f"python {platform.python_version()}, commit {_commit()}, "
            f"started {time.strftime('%Y-%m-%d %H:%M:%S')}")
    print(head, file=sys.stderr)
    rows = []
    for p in paths:
        row = {"instance": p.stem}
        row["leathernest"] = run_cli(p, "strip", args.time, args.seed, args.workers)
        row["baseline"] = ({} if args.skip_baseline
                           else run_cli(p, "baseline", args.time, args.seed, args.workers))
        row["sparrow"] = run_peer(p, args.time, args.seed, args.workers)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        if args.log:
            with open(args.log, "a") as f:
                f.write(json.dumps({**row, "time": args.time, "seed": args.seed,
                                    "workers": args.workers}) + "\n")
    text = head + "\n\n" + table(rows, args) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
