"""SIGTERM at random moments of a command's first second: how each run ends.

Run:  .venv/bin/python benchmarks/signal_moments.py [--runs 60] [--seed 1] [--within 0.6]

Starts ``nest`` of a 2,000-piece strip job (``--time 40 --workers 2``) ``--runs`` times; each
time waits until the command has its SIGTERM handler (``tests/searching.py``), sleeps a seeded
random delay in [0, ``--within``) s and sends SIGTERM. Prints every run that did not end with
exit 130 (its code, delay and last stderr) and then the count of each exit code. The contract
(README "Exit codes") is 130 for all of them.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from searching import wait_until_it_hears  # the tests' folder, added just above


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--within", type=float, default=0.6, help="latest delay, seconds")
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="signal-moments-"))
    job = folder / "job.json"
    pieces = [{"id": f"r{k}", "outline": [[0, 0], [3, 0], [3, 2], [0, 2]], "rotations": [0]}
              for k in range(2000)]
    job.write_text(json.dumps({"format": "leathernest-job", "version": 1, "name": "moments",
                               "gap_mm": 0.5, "margin_mm": 0, "pieces": pieces,
                               "strip": {"height": 100}}))
    rng = random.Random(args.seed)
    codes: dict[int, int] = {}
    for i in range(args.runs):
        proc = subprocess.Popen([sys.executable, "-m", "leathernest.cli", "nest", str(job),
                                 "--time", "40", "--workers", "2", "--out", str(folder / f"o{i}")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_until_it_hears(proc, signal.SIGTERM, 60.0)
            delay = rng.uniform(0.0, args.within)
            time.sleep(delay)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        codes[proc.returncode] = codes.get(proc.returncode, 0) + 1
        if proc.returncode != 130:
            print(f"exit {proc.returncode} after {delay:.3f} s: " + err[-300:].replace("\n", " | "))
    print(json.dumps(codes))
    return 0 if set(codes) == {130} else 1


if __name__ == "__main__":
    sys.exit(main())
