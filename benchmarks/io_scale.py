"""Reading, checking and writing at production scale: seconds and peak memory per I/O step.

    .venv/bin/python benchmarks/io_scale.py                      # 50, 500, 5,000, 20,000 pieces
    .venv/bin/python benchmarks/io_scale.py --sizes 5000 --kind hides

Each size runs in a fresh process (so its peak memory is its own). The job is written as
``job.json`` and then timed as the command line handles it: reading (parse, counts, schema, model,
limits), the preflight check, the exact validator with the metrics, and each output the ``nest``
command writes (cutter DXF with routing, job and solution JSON, SVG, HTML report). No search
runs: the layout is a shelf of rows built here, so the figures are the I/O alone. 20,000
pieces is beyond today's copy limit (10,000); the benchmark lifts it for its own process.

Kinds: ``strip``, N rectangles of 3 x 2 mm, one job entry each, on a strip 100 mm high
(issue 24's job; gap 0.5 mm);
``hides``, N rectangles of 24 x 12 mm in rows on generated calf skins (seeded; defects and grade
zones kept clear by the exact validator's own rules), as many skins as the pieces need.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (50, 500, 5_000, 20_000)
STEPS = ("read", "preflight", "validate", "dxf", "job_json", "solution_json", "svg", "report")


def strip_job(n: int) -> dict:
    # one entry per piece (the harder case for reading and labels than one entry of demand n)
    pieces = [{"id": f"r{k}", "outline": [[0, 0], [3, 0], [3, 2], [0, 2]], "rotations": [0]}
              for k in range(n)]
    return {"format": "leathernest-job", "version": 1, "name": f"strip{n}", "gap_mm": 0.5,
            "margin_mm": 0, "pieces": pieces, "strip": {"height": 100}}


def strip_layout(job):
    from leathernest.model import HideLayout, Placement, Solution

    n = len(job.pieces)
    per_col = int((100 + 0.5) // 2.5)
    pls = [Placement(f"r{k}", 0, None, 0.0, False, (k // per_col) * 3.5, (k % per_col) * 2.5)
           for k in range(n)]
    length = ((n - 1) // per_col) * 3.5 + 3.0
    return Solution(job.name, "strip", (HideLayout(None, tuple(pls)),), strip_length=length)


def hides_job(n: int) -> dict:
    from leathernest.generators import hides as hidegen
    from leathernest.io.job_json import job_to_json
    from leathernest.model import Job, Outline, Piece, Rotations

    count = max(1, -(-n // 900))  # a calf skin takes about 1,000 of these at 24 x 12 mm
    skins = [hidegen.generate("calf", seed, quality="typical").hide for seed in range(count)]
    piece = Piece("r", Outline.of([[0, 0], [24, 0], [24, 12], [0, 12]]), demand=n, min_grade=1,
                  rotations=Rotations(angles_deg=(0.0,)))
    job = Job(f"hides{n}", (piece,), tuple(skins), gap_mm=2.0, margin_mm=3.0)
    return job_to_json(job)


def hides_layout(job):
    """Rows of copies on each skin where the exact validator's rules allow them."""
    import shapely
    from shapely.geometry import box

    from leathernest.model import HideLayout, Placement, Solution, Unplaced, UnplacedReason

    n = job.pieces[0].n_copies
    layouts, k = [], 0
    for hide in job.hides:
        if k == n:
            break
        leather = shapely.Polygon(hide.outline.outer, list(hide.outline.holes))
        inner = leather.buffer(-job.edge_margin - 0.01)
        blocked = shapely.union_all([shapely.Polygon(z.outline.outer).buffer(
            job.defect_margin + 0.01) for z in hide.zones if z.grade == 0] or [shapely.Polygon()])
        shapely.prepare(inner)
        shapely.prepare(blocked)
        x0, y0, x1, y1 = hide.outline.bbox
        xs = [x0 + 26.0 * i for i in range(int((x1 - x0) // 26.0))]
        ys = [y0 + 14.0 * j for j in range(int((y1 - y0) // 14.0))]
        cells = [box(x, y, x + 24, y + 12) for y in ys for x in xs]
        ok = shapely.contains(inner, cells) & ~shapely.intersects(blocked, cells)
        pls = []
        for cell, good in zip(cells, ok.tolist(), strict=True):
            if good and k < n:
                bx, by = cell.bounds[:2]
                pls.append(Placement("r", k, hide.id, 0.0, False, bx, by, 0))
                k += 1
        if pls:
            layouts.append(HideLayout(hide.id, tuple(pls), 0))
    unplaced = tuple(Unplaced("r", c, UnplacedReason.NO_ROOM) for c in range(k, n))
    return Solution(job.name, "hides", tuple(layouts), unplaced=unplaced)


def measure(n: int, kind: str) -> dict:
    """Time each step for one size in this process; peak resident memory at the end."""
    import leathernest.limits as limits
    from leathernest.io.cutter_profile import DEFAULT_PROFILE
    from leathernest.io.dxf_out import write_cutter_dxf
    from leathernest.io.html_report import write_report
    from leathernest.io.instance import load_job
    from leathernest.io.job_json import job_to_json
    from leathernest.io.solution_json import write_solution
    from leathernest.io.svg import write_svg
    from leathernest.nest import checked, preflight

    # 20,000 is beyond today's copy limit (10,000): lifted here, for the I/O alone
    limits.MAX_COPIES = limits.MAX_PIECE_ENTRIES = max(limits.MAX_COPIES, n)
    data = strip_job(n) if kind == "strip" else hides_job(n)
    out: dict = {"pieces": n, "kind": kind}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        path = d / "job.json"
        path.write_text(json.dumps(data))
        out["job_mb"] = round(path.stat().st_size / 1e6, 2)
        t = time.perf_counter()
        job = load_job(path)
        out["read"] = time.perf_counter() - t
        t = time.perf_counter()
        preflight(job, str(path))
        out["preflight"] = time.perf_counter() - t
        layout = strip_layout(job) if kind == "strip" else hides_layout(job)
        t = time.perf_counter()
        solution = checked(job, layout)
        out["validate"] = time.perf_counter() - t
        out["placed"] = len(solution.placements)
        t = time.perf_counter()
        cuts = write_cutter_dxf(job, solution, d, profile=DEFAULT_PROFILE)
        out["dxf"] = time.perf_counter() - t
        t = time.perf_counter()
        (d / "job_out.json").write_text(json.dumps(job_to_json(job), indent=1))
        out["job_json"] = time.perf_counter() - t
        t = time.perf_counter()
        write_solution(d / "solution.json", job, solution)
        out["solution_json"] = time.perf_counter() - t
        orders = {(c.hide_id, c.hide_copy): c.order for c in cuts}
        t = time.perf_counter()
        write_svg(d / "layout.svg", job, solution, cut_orders=orders)
        out["svg"] = time.perf_counter() - t
        t = time.perf_counter()
        write_report(d / "report.html", job, solution, cuts, [])
        out["report"] = time.perf_counter() - t
        out["svg_mb"] = round((d / "layout.svg").stat().st_size / 1e6, 2)
        out["report_mb"] = round((d / "report.html").stat().st_size / 1e6, 2)
    out["reading"] = out["read"] + out["preflight"]
    out["writing"] = sum(out[k] for k in ("validate", "dxf", "job_json", "solution_json", "svg",
                                          "report"))
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--kind", choices=["strip", "hides", "both"], default="both")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.one:
        print(json.dumps(measure(sizes[0], args.kind)))
        return
    kinds = ["strip", "hides"] if args.kind == "both" else [args.kind]
    head = ["kind", "pieces", "job MB", *STEPS, "read+write", "SVG MB", "peak MB"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for kind in kinds:
        for n in sizes:
            r = subprocess.run([sys.executable, __file__, "--one", "--sizes", str(n), "--kind",
                                kind], capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONWARNINGS": "ignore"})
            m = json.loads(r.stdout.strip().splitlines()[-1])
            cells = [kind, f"{n:,}", f"{m['job_mb']:g}", *(f"{m[s]:.2f}" for s in STEPS),
                     f"{m['reading'] + m['writing']:.2f}", f"{m['svg_mb']:g}",
                     f"{m['peak_mb']:.0f}"]
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
