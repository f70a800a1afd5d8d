"""The scale benchmark (issue 24): seconds per phase, peak memory and layout, 500 to 20,000 pieces.

    .venv/bin/python benchmarks/scale.py --time 30 --workers 2 --out bench-out/scale.md \\
        --log bench-out/scale.jsonl                          # every case, about 12 minutes
    .venv/bin/python benchmarks/scale.py --kinds order --sizes 3000 --time 120  # issue's target
    .venv/bin/python benchmarks/scale.py --quick             # smoke run, under 2 minutes

Cases (``--kinds``, ``--sizes``):

- ``order``: a leather-goods order of the pattern library (``make_order.py``, seed 0: wallets,
  card holders, zip pouches; grain, grades, left/right pairs) of N pieces over N/100 generated
  calf skins: 500 over 5, 1,000 over 10, 3,000 over 30;
- ``rect``: N rectangles of 3 x 2 mm, one job entry each, on a strip 100 mm high, gap 0.5 mm
  (issue 24's job, as ``io_scale.py`` writes it);
- ``mixed``: N rectangles of six sizes (1.5 to 6 mm, drawn with a seed), one entry each, turning
  by 90 degrees, on the same strip;
- ``patterns``: the pieces of a ``make_order`` order of N pieces (13 irregular outlines of the
  pattern library, by demand) on a strip 500 mm high, gap 2 mm.

Strips take 500, 5,000 and 20,000 pieces. 20,000 is beyond today's copy limit (10,000): the
benchmark lifts it in its own case processes only.

Each case runs in a fresh process (its peak memory is its own) and goes through what ``nest``
does, with a timer around each library call: **read** (``load_job`` of the written job file and
``preflight``), the **search** (``solve`` with the time the command line gives it:
``--time`` less the reading and the estimated writing, or the command's refusal), **validate**
(``checked``: the exact validator and the metrics) and **write** (every output of ``nest``,
cutter DXF with routing included). The search's own parts: **prepare**, building the problem
(items, engine, hazards of the hides: what each worker pays before it searches), timed apart
in the same process after the run; **first** layout, from the ``solve`` call to the first
progress report, less the preparation; **search**, the rest of ``solve``. CPU seconds count the
worker processes of a parallel search. **total** is read + solve + validate + write, against
``--time`` (the allowance on top, README "Limits", is not in it: starting Python and loading the
kernels, reported as ``kernels``). Peak memory is ``ru_maxrss`` of the case process and of its
largest worker. Then, per kind, how each phase grows: the factor per 10x pieces of a least-squares
fit of log seconds on log pieces.

Exit code 0 when every layout was valid, 1 when one was invalid or a case failed (a refusal by
the time rule is a result, not a failure), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib as bl

KINDS = ("order", "rect", "mixed", "patterns")
ORDER_SIZES = (500, 1_000, 3_000)
STRIP_SIZES = (500, 5_000, 20_000)
PHASES = ("read", "prepare", "first", "search", "validate", "write")
CPU_PHASES = ("read", "prepare", "solve", "validate", "write")
MIXED_SIZES = ((2.0, 1.5), (3.0, 2.0), (4.0, 2.0), (5.0, 3.0), (6.0, 2.5), (3.5, 3.5))
PIECES_PER_HIDE = 100


def rect_job(n: int) -> dict:
    """Issue 24's strip: n rectangles of 3 x 2 mm, one entry each, height 100 mm, gap 0.5 mm."""
    pieces = [{"id": f"r{k}", "outline": [[0, 0], [3, 0], [3, 2], [0, 2]], "rotations": [0]}
              for k in range(n)]
    return {"format": "leathernest-job", "version": 1, "name": f"rect-{n}", "gap_mm": 0.5,
            "margin_mm": 0, "pieces": pieces, "strip": {"height": 100}}


def mixed_job(n: int, seed: int = 0) -> dict:
    """n rectangles of MIXED_SIZES (seeded), one entry each, turning by 90 degrees."""
    import numpy as np

    sizes = np.random.default_rng(seed).integers(len(MIXED_SIZES), size=n)
    pieces = []
    for k, s in enumerate(sizes.tolist()):
        w, h = MIXED_SIZES[s]
        pieces.append({"id": f"m{k}", "outline": [[0, 0], [w, 0], [w, h], [0, h]],
                       "rotations": [0, 90]})
    return {"format": "leathernest-job", "version": 1, "name": f"mixed-{n}", "gap_mm": 0.5,
            "margin_mm": 0, "pieces": pieces, "strip": {"height": 100}}


def order_job(n: int, seed: int = 0):
    """make_order's order of n pieces over n / 100 calf skins, and the generated hides."""
    from make_order import make_order

    job, generated, _ = make_order(seed, n, f"calf:{max(1, math.ceil(n / PIECES_PER_HIDE))}",
                                   name=f"order-{n}")
    return job, generated


def patterns_job(n: int, seed: int = 0):
    """The pieces of make_order's order of n pieces on a strip 500 mm high, gap 2 mm."""
    from make_order import make_order

    from leathernest.model import Strip

    job, _, _ = make_order(seed, n, "calf:1", name=f"patterns-{n}")
    return dataclasses.replace(job, stock=Strip(500.0), objective=None)


def write_job(kind: str, n: int, seed: int, folder: Path) -> Path:
    """The case's job file, as a user would hand it to ``nest``."""
    from leathernest.generators import hides as hidegen
    from leathernest.io.job_json import job_to_json

    path = folder / "job.json"
    if kind == "rect":
        path.write_text(json.dumps(rect_job(n)))
    elif kind == "mixed":
        path.write_text(json.dumps(mixed_job(n, seed)))
    elif kind == "order":
        job, generated = order_job(n, seed)
        hidegen.write_job_json(path, job, generated)
    else:
        path.write_text(json.dumps(job_to_json(patterns_job(n, seed))))
    return path


class Clock:
    """Wall and CPU seconds (this process and its waited-for children) of one block."""

    def __enter__(self) -> Clock:
        self.t, self.c = time.perf_counter(), bl.cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.t
        self.cpu = bl.cpu_seconds() - self.c


def measure(kind: str, n: int, time_s: float, workers: int, seed: int) -> dict:
    """One case in this process: every phase's seconds, peak memory and the layout's figures."""
    import leathernest.limits as limits
    from leathernest.cli.common import search_budget_s
    from leathernest.config import DEFAULT_CONFIG
    from leathernest.errors import InputError
    from leathernest.io.cutter_profile import DEFAULT_PROFILE
    from leathernest.io.instance import load_job
    from leathernest.io.outputs import OutputFolder, write_outputs
    from leathernest.nest import checked, job_kinds, preflight, warm_up
    from leathernest.search.parallel import make_problem, solve
    from leathernest.search.stop import StopToken, no_listener

    # 20,000 is beyond today's copy limit (10,000): lifted here, in this case process only (an
    # order drawn by products overshoots n by less than one product)
    limits.MAX_COPIES = limits.MAX_PIECE_ENTRIES = max(limits.MAX_COPIES, 2 * n)
    row: dict = {"kind": kind, "n": n, "time_s": time_s, "workers": workers, "seed": seed,
                 "load_1m": round(os.getloadavg()[0], 2), "wall": {}, "cpu": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Clock() as c:
            path = write_job(kind, n, seed, folder)
        row["generate_s"] = c.wall
        row["job_mb"] = path.stat().st_size / 1e6
        with Clock() as c:
            job = load_job(path)
            preflight(job, str(path))
        row["wall"]["read"], row["cpu"]["read"] = c.wall, c.cpu
        job = dataclasses.replace(job, time_limit_s=time_s, seed=seed)
        row["pieces"] = sum(p.n_copies for p in job.pieces)
        row["entries"] = len(job.pieces)
        row["hides"] = len(job.hides)
        if not job.is_strip:
            from make_order import area_bound

            row["area_bound"] = area_bound(job)
        t = time.perf_counter()
        warm_up(job_kinds(job))
        row["kernels_s"] = time.perf_counter() - t
        cfg = DEFAULT_CONFIG.strip if job.is_strip else DEFAULT_CONFIG.hides
        try:
            search_s = search_budget_s(job, row["wall"]["read"])
        except InputError as exc:
            row["refused"] = str(exc)
            return row
        row["search_budget_s"] = search_s
        first: list[float] = []
        t0 = time.perf_counter()

        def listen(_p: object) -> None:
            if not first:
                first.append(time.perf_counter() - t0)

        with Clock() as c:
            sol = solve(job, StopToken(search_s), listen, seed, workers, cfg)
        row["wall"]["solve"], row["cpu"]["solve"] = c.wall, c.cpu
        row["to_first_s"] = first[0] if first else None
        sol = dataclasses.replace(sol, config={**DEFAULT_CONFIG.as_dict(), "workers": workers,
                                               "effort": None, **sol.config})
        row["work"] = sol.config.get("work")
        row["work_per_worker"] = sol.config.get("work_per_worker")
        with Clock() as c:
            try:
                sol = checked(job, sol)
            except Exception as exc:  # an invalid layout is the benchmark's finding
                row["error"] = f"{type(exc).__name__}: {exc}"
                return row
        row["wall"]["validate"], row["cpu"]["validate"] = c.wall, c.cpu
        with Clock() as c, OutputFolder(folder / "out") as out:
            out.claim()
            write_outputs(out, job, sol, profile=DEFAULT_PROFILE)
        row["wall"]["write"], row["cpu"]["write"] = c.wall, c.cpu
        m = sol.metrics
        row["placed"] = m.get("pieces_placed")
        row["demanded"] = m.get("pieces_demanded")
        row["density"] = m.get("density")
        row["utilisation"] = m.get("utilisation")
        row["hides_used"] = m.get("hides_used")
        row["total_wall"] = sum(row["wall"][p] for p in ("read", "solve", "validate", "write"))
        row["total_cpu"] = sum(row["cpu"][p] for p in ("read", "solve", "validate", "write"))
        row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        row["worker_peak_mb"] = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                                 if workers > 1 else None)
        # what each worker paid before its search, timed apart (after the peak was read)
        with Clock() as c:
            make_problem(job, cfg, seed, StopToken(math.inf), no_listener)
        row["wall"]["prepare"], row["cpu"]["prepare"] = c.wall, c.cpu
        if row["to_first_s"] is not None:
            row["wall"]["first"] = max(0.0, row["to_first_s"] - c.wall)
            row["wall"]["search"] = row["wall"]["solve"] - row["to_first_s"]
    return row


def growth(rows: list[dict], key: str, phase: str) -> float | None:
    """Factor per 10x pieces of the phase's seconds: least squares of log10 s on log10 pieces."""
    pts = [(math.log10(r["pieces"]), math.log10(r[key][phase])) for r in rows
           if r.get(key, {}).get(phase) is not None and r[key][phase] > 0]
    if len(pts) < 2 or len({x for x, _ in pts}) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    slope = (sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts))
    return 10.0 ** slope


def result_cell(r: dict) -> str:
    if r.get("refused"):
        return "refused"
    if r.get("error"):
        return "INVALID" if "SolutionInvalid" in r["error"] else "failed"
    if r["kind"] == "order":
        return (f"{r['hides_used']} hides (bound {r['area_bound']}), "
                f"{bl.pct(r['utilisation'], 1)} %")
    return f"density {bl.pct(r['density'], 1)} %"


def _cell(r: dict, phase: str) -> str:
    """Wall seconds of a phase, and its CPU seconds in brackets where measured."""
    s = bl.num(r["wall"].get(phase))
    return f"{s} ({bl.num(r['cpu'][phase])})" if phase in r["cpu"] else s


def tables(rows: list[dict], head: dict) -> str:
    """The markdown tables: one row per case, then the growth per kind."""
    cols = ["case", "pieces", "load", "read", "prepare", "first", "search", "validate", "write",
            "total wall / CPU", "kernels", "peak MB (worker)", "placed", "result"]
    out = [f"Scale benchmark: {bl.header_line(head)}; `--time {head['args']['time']:g} "
           f"--workers {head['args']['workers']}`. Seconds: wall (CPU); load: the machine's "
           "1-minute load average when the case started.", "",
           "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        name = f"{r['kind']}-{r['n']}" + (f" / {r['hides']} hides" if r.get("hides") else "")
        if r.get("refused") or r.get("failed"):
            why = r.get("refused") or r.get("failed")
            out.append(f"| {name} | {r.get('pieces', r['n']):,} | {bl.num(r.get('load_1m'))} | "
                       f"{bl.num(r.get('wall', {}).get('read'))} | {why} |" + " |" * 9)
            continue
        peak = f"{r.get('peak_mb', 0):.0f}"
        if r.get("worker_peak_mb"):
            peak += f" ({r['worker_peak_mb']:.0f})"
        out.append("| " + " | ".join([
            name, f"{r['pieces']:,}", bl.num(r.get("load_1m"), "{:.1f}"),
            *(_cell(r, p) for p in PHASES),
            f"{r['total_wall']:.2f} / {r['total_cpu']:.2f}", bl.num(r.get("kernels_s")), peak,
            f"{r.get('placed')}/{r.get('demanded')}", result_cell(r)]) + " |")
    out += ["", "Growth per 10x pieces (wall; the search is bounded by `--time`):", "",
            "| kind | sizes | " + " | ".join(PHASES) + " | total | peak MB |",
            "|" + "---|" * (len(PHASES) + 4)]
    for kind in KINDS:
        done = [r for r in rows if r["kind"] == kind and "total_wall" in r]
        if len(done) < 2:
            continue
        for r in done:
            r["_total"] = {"total": r["total_wall"], "peak": r["peak_mb"]}
        cells = [bl.num(growth(done, "wall", p), "{:.1f}x") for p in PHASES]
        cells += [bl.num(growth(done, "_total", "total"), "{:.1f}x"),
                  bl.num(growth(done, "_total", "peak"), "{:.1f}x")]
        sizes = ", ".join(f"{r['pieces']:,}" for r in done)
        out.append(f"| {kind} | {sizes} | " + " | ".join(cells) + " |")
        for r in done:
            del r["_total"]
    return "\n".join(out) + "\n"


def cases(kinds: list[str], sizes: list[int] | None) -> list[tuple[str, int]]:
    """(kind, pieces) of every case to run, hide orders first."""
    out = []
    for kind in kinds:
        own = ORDER_SIZES if kind == "order" else STRIP_SIZES
        out += [(kind, n) for n in (sizes or own)]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--time", type=float, default=30.0, help="each case's --time (default 30)")
    ap.add_argument("--workers", type=int, default=2, help="search processes (default 2)")
    ap.add_argument("--sizes", help="pieces per case, e.g. 500,5000 (default: hide orders "
                    "500,1000,3000; strips 500,5000,20000)")
    ap.add_argument("--kinds", default=",".join(KINDS), help=f"of {','.join(KINDS)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 500 pieces of every kind, --time 4 (under 2 minutes)")
    ap.add_argument("--out", help="write the tables here too")
    ap.add_argument("--log", help="append every case as one JSON line here")
    ap.add_argument("--tables", metavar="LOG", help="print the tables of a --log file (the "
                    "last row of each case) instead of running")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # KIND N: a case process
    args = ap.parse_args(argv)
    if args.tables:
        lines = [json.loads(t) for t in Path(args.tables).read_text().splitlines() if t.strip()]
        head = next(t["header"] for t in lines if "header" in t)
        last = {(t["kind"], t["n"]): t for t in lines if "kind" in t}
        order = {k: i for i, k in enumerate(KINDS)}
        print(tables(sorted(last.values(), key=lambda r: (order[r["kind"]], r["n"])), head))
        return 0
    kinds = bl.parse_list(args.kinds)
    if any(k not in KINDS for k in kinds) or args.workers < 1 or not args.time > 0:
        ap.error(f"--kinds takes {', '.join(KINDS)}; --workers >= 1; --time > 0")
    if args.one:
        row = measure(args.one[0], int(args.one[1]), args.time, args.workers, args.seed)
        print(json.dumps(row, default=str))
        return 0
    if args.quick:
        args.time = 4.0
        args.sizes = args.sizes or "500"
    sizes = bl.parse_list(args.sizes, int) if args.sizes else None
    head = bl.header("scale.py", args)
    log = bl.JsonlLog(args.log, head)
    rows = []
    for kind, n in cases(kinds, sizes):
        cmd = [sys.executable, __file__, "--one", kind, str(n), "--time", str(args.time),
               "--workers", str(args.workers), "--seed", str(args.seed)]
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True,
                           env={**os.environ, "PYTHONWARNINGS": "ignore"})
        try:
            row = json.loads(r.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
            row = {"kind": kind, "n": n, "failed": f"exit {r.returncode}: {tail}"}
        row["process_s"] = time.perf_counter() - t
        log.write(row)
        rows.append(row)
        print(f"{kind}-{n}: " + (row.get("refused") or row.get("failed") or row.get("error")
                                 or f"total {row['total_wall']:.1f} s, {result_cell(row)}"),
              file=sys.stderr, flush=True)
    text = tables(rows, head)
    print(text)
    bl.write_text(args.out, text)
    return 1 if any(r.get("failed") or r.get("error") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
