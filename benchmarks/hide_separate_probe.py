"""Can insertion by separation save a hide that the hide nester could not?

    .venv/bin/python benchmarks/hide_separate_probe.py [--instances baldacci2,baldacci3]
        [--nest-time 60] [--probe-time 30] [--seed 0] [--iters 300]

For each instance: ``nest_hides`` for --nest-time seconds gives a layout; the emptiest hide copy
(placed area / usable area, as the eliminate phase picks it) is then emptied into the others.
Each of its units (largest first) goes to the first other hide copy (fullest first) the
bottom-left packer fits it on; failing that, to the first (most free leather first) on which
``insert_by_separation`` succeeds (--iters separator iterations per call), pass after pass
over the hides until one takes it. The whole emptying has --probe-time seconds. A saved hide is
re-checked with the exact validator. Prints one line per unit and a summary per instance.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from leathernest.io.instance import load_job
from leathernest.model import HideLayout, Job, Solution
from leathernest.report import usable_region
from leathernest.search.baseline import PieceCopy, make_units
from leathernest.search.hide_pack import HideBin, HidePacker
from leathernest.search.hide_separate import insert_by_separation
from leathernest.search.hides import nest_hides
from leathernest.search.stop import StopToken
from leathernest.validate import validate


def bins_of(job: Job, sol: Solution, packer: HidePacker) -> list[HideBin]:
    """Hide copies with the solution's placements registered in fresh engines."""
    hides = {h.id: h for h in job.hides}
    out = []
    for lay in sol.layouts:
        b = packer.new_bin(hides[lay.hide_id], lay.hide_copy)
        for k, pl in enumerate(lay.placements):
            piece = job.piece(pl.piece_id)
            b.engine.add(k, packer.shape(piece), pl.rotation_deg, pl.mirrored, pl.x, pl.y)
            b.placements[k] = pl
            b.area += piece.area
        out.append(b)
    return out


def probe(name: str, nest_time: float, probe_time: float, seed: int, iters: int) -> dict:
    job = load_job(name)
    t0 = time.monotonic()
    sol = nest_hides(job, StopToken(nest_time))
    nest_s = time.monotonic() - t0
    rng = np.random.default_rng(seed)
    packer = HidePacker(job, rng)
    bins = bins_of(job, sol, packer)
    usable = {h.id: usable_region(h).area for h in job.hides}
    victim = min(bins, key=lambda b: b.area / usable[b.hide.id])
    others = [b for b in bins if b is not victim]
    on_victim = {(p.piece_id, p.copy) for p in victim.placements.values()}
    units: list[list[PieceCopy]] = [u for u in make_units(job)
                                    if (u[0].piece.id, u[0].copy) in on_victim]
    units.sort(key=lambda u: -sum(c.piece.area for c in u))
    print(f"{name}: nest_hides {nest_s:.1f} s -> {len(bins)} hides "
          f"(strategy {sol.config.get('hides_strategy')}); victim hide {victim.hide.id} copy "
          f"{victim.copy}: {len(victim.placements)} pieces in {len(units)} units, fill "
          f"{victim.area / usable[victim.hide.id]:.3f}; others' fill "
          + ", ".join(f"{b.area / usable[b.hide.id]:.3f}" for b in others))
    stop = StopToken(probe_time)
    t1 = time.monotonic()
    by_packer = by_sep = 0
    saved = True
    for u in units:
        if stop.stopped():
            saved = False
            break
        area = sum(c.piece.area for c in u)
        ts = time.monotonic()
        target = next((b for b in sorted(others, key=lambda b: -b.area)
                       if packer.place_unit(b, u)), None)
        how = "packer"
        passes = 0
        while target is None and not stop.stopped():  # passes differ in their random stream
            how = "separation"
            passes += 1
            for b in sorted(others, key=lambda b: b.area - usable[b.hide.id]):
                if stop.stopped():
                    break
                if insert_by_separation(packer, b, [u], stop, rng, budget_iters=iters):
                    target = b
                    break
        print(f"  unit {'+'.join(c.piece.id for c in u)} ({area:.0f} mm2): "
              + (f"{how} -> hide {target.hide.id} ({time.monotonic() - ts:.1f} s, "
                 f"{passes} separation passes)"
                 if target else f"no hide took it ({time.monotonic() - ts:.1f} s)"))
        if target is None:
            saved = False
            break
        if how == "packer":
            by_packer += 1
        else:
            by_sep += 1
    probe_s = time.monotonic() - t1
    violations = -1
    if saved:
        layouts = tuple(HideLayout(b.hide.id, tuple(b.placements[k] for k in sorted(b.placements)),
                                   b.copy) for b in others)
        new = Solution(job.name, "hides", layouts, sol.unplaced)
        violations = len(validate(job, new))
        util = sum(b.area for b in others) / sum(usable[b.hide.id] for b in others)
    else:
        util = None
    out = {"instance": name, "hides_before": len(bins), "saved": saved and violations == 0,
           "hides_after": len(others) if saved and violations == 0 else len(bins),
           "units": len(units), "by_packer": by_packer, "by_separation": by_sep,
           "probe_s": round(probe_s, 1), "violations": violations,
           "utilisation_after": None if util is None else round(util, 4)}
    print(f"  -> {out}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default="baldacci2,baldacci3")
    ap.add_argument("--nest-time", type=float, default=60.0)
    ap.add_argument("--probe-time", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iters", type=int, default=300)
    a = ap.parse_args()
    for name in a.instances.split(","):
        probe(name, a.nest_time, a.probe_time, a.seed, a.iters)


if __name__ == "__main__":
    main()
