"""Hide nesting against PackingSolver, and the scale case; prints markdown tables.

    .venv/bin/python benchmarks/hides_peers.py --time 60 [--instances baldacci1,baldacci2,baldacci3]
    .venv/bin/python benchmarks/hides_peers.py --scale --time 30

Peer: PackingSolver through ``../shared/peers/packingsolver_hides.py`` (set-up in that folder's
README), run one after the other with leathernest on the same machine and seconds. Its layout is
re-checked here with shapely (overlap, inside the hide, off holes and the zones each item may not
use), independently of the script's own check. Our layouts go through the exact validator inside
``leathernest.nest.nest``.

The scale case: an order of leather goods from the bundled pattern library, about 470 pieces, over
ten generated calf and cow hides with grade zones and defects. It reports the time to the first
layout that places every piece and the utilisation over time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import shapely
from shapely.geometry import Polygon

from leathernest.geometry.shapes import hide_region, zone_region
from leathernest.io.instance import load_job
from leathernest.model import Job
from leathernest.nest import nest
from leathernest.search.stop import Progress, StopToken
from leathernest.validate import zone_blocks

ROOT = Path(__file__).resolve().parents[1]
PEERS = Path(os.environ.get("LEATHERNEST_PEERS_DIR", ROOT.parent / "shared" / "peers"))
PS_PYTHON = Path(os.environ.get("LEATHERNEST_PACKINGSOLVER_PYTHON",
                                ROOT / ".peers" / "venv-packingsolver" / "bin" / "python"))


def check_peer_layout(job: Job, layout: dict) -> int:
    """Violations in a peer's neutral layout (absolute polygons per bin), counted with shapely."""
    pieces = {p.id: p for p in job.pieces}
    hides = {h.id: h for h in job.hides}
    tol_area = 1e-6 * max(p.area for p in job.pieces)
    bad = 0
    for b in layout.get("bins", []):
        hide = hides[str(b["bin_id"])]
        region = hide_region(hide)
        polys = [(pieces[str(p["item_id"])], Polygon(p["polygon"])) for p in b["placements"]]
        for piece, poly in polys:
            if poly.difference(region).area > tol_area:
                bad += 1
            for z in hide.zones:
                if zone_blocks(z.grade, piece.min_grade) and \
                        poly.intersection(zone_region(z)).area > tol_area:
                    bad += 1
        geoms = [g for _p, g in polys]
        tree = shapely.STRtree(geoms)
        for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=True):
            if i < j and geoms[i].intersection(geoms[j]).area > tol_area:
                bad += 1
    return bad


def run_packingsolver(name: str, time_s: int) -> dict | None:
    script = PEERS / "packingsolver_hides.py"
    if not script.exists() or not PS_PYTHON.exists():
        return None
    instance = ROOT / "datasets" / "leather" / f"{name}.json"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "layout.json"
        r = subprocess.run([str(PS_PYTHON), str(script), str(instance), "--time", str(time_s),
                            "--layout", str(out)], capture_output=True, text=True, check=False)
        if r.returncode != 0 or not r.stdout.strip():
            return {"error": r.stderr.strip().splitlines()[-1:] or ["failed"]}
        result = json.loads(r.stdout.strip().splitlines()[-1])
        if out.exists():
            result["our_check_violations"] = check_peer_layout(load_job(instance),
                                                               json.loads(out.read_text()))
        return result


def run_ours(job: Job, time_s: float) -> tuple[dict, list[tuple[float, int, float]]]:
    curve: list[tuple[float, int, float]] = []

    def listen(p: Progress) -> None:
        curve.append((p.elapsed_s, p.placed, p.utilisation or 0.0))

    t0 = time.monotonic()
    s = nest(job, stop=StopToken(time_s), listener=listen)
    m = s.metrics
    return ({"hides_used": m["hides_used"], "utilisation": m["utilisation"],
             "placed": m["pieces_placed"], "demand": m["pieces_demanded"],
             "time_s": time.monotonic() - t0, "strategy": s.config.get("hides_strategy"),
             "phases": s.config.get("hides_phases", {})}, curve)


def peers_table(names: list[str], time_s: int) -> str:
    rows = ["| instance | PackingSolver hides | PS utilisation | PS valid (script / ours) "
            "| leathernest hides | leathernest utilisation | placed | phase that won |",
            "|---|---|---|---|---|---|---|---|"]
    phases: list[str] = []
    for name in names:
        ours, _ = run_ours(load_job(name), time_s)
        ps = run_packingsolver(name, time_s)
        if ps is None:
            ps_cells = "not installed | - | -"
        elif "error" in ps:
            ps_cells = f"error: {ps['error'][0]} | - | -"
        elif not ps.get("feasible"):
            ps_cells = (f"no solution ({ps['placed']}/{ps['demand']} placed) | - | "
                        f"{ps['violations']} / {ps.get('our_check_violations', '-')} violations")
        else:
            ps_cells = (f"{ps['hides_used']} | {ps['utilisation']:.2%} | "
                        f"{ps['violations']} / {ps.get('our_check_violations', '-')} violations")
        rows.append(f"| {name} | {ps_cells} | {ours['hides_used']} | {ours['utilisation']:.2%} | "
                    f"{ours['placed']}/{ours['demand']} | {ours['strategy']} |")
        print(rows[-1], file=sys.stderr, flush=True)
        phases.append(f"| {name} | " + " | ".join(
            f"{k}: {v['hides']} hides, {v['utilisation']:.2%}, {v['unplaced']} unplaced, "
            f"at {v['at_s']} s" for k, v in ours["phases"].items()) + " |")
    return "\n".join(rows) + "\n\nBest layout of each phase (leathernest):\n\n" + "\n".join(phases)


def scale_job(seed: int = 0) -> Job:
    """About 470 pieces of the pattern library over ten generated hides."""
    from leathernest.datasets.patterns.catalog import product_pieces
    from leathernest.hidegen import generate_hides
    from leathernest.model import Job

    pieces = (product_pieces("bifold_wallet", 18, "w-") + product_pieces("card_holder", 30, "c-")
              + product_pieces("zip_pouch", 15, "z-") + product_pieces("belt", 9, "b-")
              + product_pieces("tote_bag", 4, "t-"))
    hides = generate_hides("calf", 6, seed) + generate_hides("cow_side", 4, seed + 100)
    return Job("scale", tuple(pieces), tuple(hides), gap_mm=2.0, margin_mm=3.0, seed=seed)


def scale_report(time_s: float) -> str:
    job = scale_job()
    demanded = sum(p.n_copies for p in job.pieces)
    ours, curve = run_ours(job, time_s)
    first = next((t for t, placed, _u in curve if placed == demanded), None)
    lines = [f"pieces: {demanded} copies of {len(job.pieces)} patterns, {len(job.hides)} hides",
             f"time to the first layout placing every piece: "
             f"{'not reached' if first is None else f'{first:.1f} s'}",
             f"final: {ours['hides_used']} hides, utilisation {ours['utilisation']:.2%}, "
             f"{ours['placed']}/{ours['demand']} placed, {ours['time_s']:.1f} s, "
             f"phase {ours['strategy']}",
             "", "| elapsed (s) | placed | utilisation of hides used |", "|---|---|---|"]
    lines += [f"| {t:.1f} | {p} | {u:.2%} |" for t, p, u in curve]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default="baldacci1,baldacci2,baldacci3")
    ap.add_argument("--time", type=int, default=60)
    ap.add_argument("--scale", action="store_true", help="run the scale case instead")
    args = ap.parse_args()
    if args.scale:
        print(scale_report(args.time))
    else:
        print(peers_table(args.instances.split(","), args.time))


if __name__ == "__main__":
    main()
