"""Cooperating workers against independent ones: the same searches with and without the exchange.

Run:  .venv/bin/python benchmarks/exchange_probe.py shirts albano --time 30 --seeds 0,1
      .venv/bin/python benchmarks/exchange_probe.py baldacci3 --time 60

`nest` runs its workers in epochs and hands the best layout to every worker holding a worse one
(:mod:`leathernest.search.parallel`); ``exchange=False`` runs the same workers as a plain
portfolio (independent seeds, the best kept). This script runs both, one after the other, on each
instance and seed, validates every layout exactly, and prints density (strips) or hides and
utilisation (hides) side by side. Exit 1 when a layout is invalid, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import benchlib as bl

from leathernest.config import DEFAULT_CONFIG
from leathernest.errors import InputError, SolutionInvalidError
from leathernest.io.instance import load_job
from leathernest.nest import checked, warm_up
from leathernest.search.parallel import nest_parallel
from leathernest.search.stop import StopToken, no_listener


def figure(job, sol) -> str:
    """Density of a strip layout, hides and utilisation of a hide layout."""
    m = sol.metrics
    if job.is_strip:
        return f"{100 * m['density']:.2f} %"
    return f"{m['hides_used']} / {100 * m['utilisation']:.2f} %"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="+", help="bundled names or job files")
    ap.add_argument("--time", type=float, default=30.0, help="seconds per run (default 30)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--seeds", default="0", help="e.g. 0,1 (default 0)")
    ap.add_argument("--out", help="write the markdown table here")
    args = ap.parse_args(argv)
    try:
        jobs = [(name, load_job(name)) for name in args.instances]
        seeds = bl.parse_list(args.seeds, int)
    except (InputError, ValueError) as e:
        print(f"exchange_probe: {e}", file=sys.stderr)
        return 2
    warm_up()
    head = bl.header("exchange_probe.py", args)
    lines = [bl.header_line(head), "",
             "| instance | seed | with exchange | independent | wall s (with / without) |",
             "|---|---:|---|---|---|"]
    bad = 0
    for name, job in jobs:
        cfg = DEFAULT_CONFIG.strip if job.is_strip else DEFAULT_CONFIG.hides
        for seed in seeds:
            res = []
            for exchange in (True, False):
                t = time.monotonic()
                sol = nest_parallel(job, StopToken(args.time), no_listener, seed, args.workers,
                                    cfg, exchange=exchange)
                wall = time.monotonic() - t
                try:
                    sol = checked(job, sol)
                except SolutionInvalidError as e:  # an invalid layout is the finding
                    print(f"{name} seed {seed} exchange={exchange}: INVALID {e}", file=sys.stderr)
                    bad += 1
                    res.append(("invalid", wall))
                    continue
                res.append((figure(job, sol), wall))
            lines.append(f"| {name} | {seed} | {res[0][0]} | {res[1][0]} | "
                         f"{res[0][1]:.1f} / {res[1][1]:.1f} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    bl.write_text(args.out, text)
    print(text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
