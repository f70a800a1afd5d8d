"""The hostile cases of issue 25 through the command line: exit code, seconds, peak memory, line.

    .venv/bin/python benchmarks/hostile_cases.py [--dir DIR]

Each case is generated into DIR (a temporary folder by default; the largest is a 53 MB job, the
201 MB one is a sparse file) and run as ``leathernest`` in a subprocess under ``/usr/bin/time``
(peak resident memory of the command). The tests (``tests/test_hostile_limits.py``) assert the
contract for each; this script prints the figures for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TINY = {"format": "leathernest-job", "version": 1, "name": "tiny", "gap_mm": 1, "margin_mm": 1,
        "pieces": [{"id": "a", "outline": [[0, 0], [20, 0], [20, 10], [0, 10]], "demand": 3}],
        "hides": [{"id": "h", "outline": [[0, 0], [100, 0], [100, 60], [0, 60]]}]}


def edited(edit) -> dict:
    job = copy.deepcopy(TINY)
    edit(job)
    return job


def run(label: str, *args: object) -> None:
    t0 = time.monotonic()
    r = subprocess.run(["/usr/bin/time", "-f", "peak %M", sys.executable, "-m",
                        "leathernest.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=120, check=False)
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    peak = next((int(ln.split()[1]) // 1024 for ln in lines if ln.startswith("peak ")), -1)
    said = [ln for ln in lines if ln.startswith("leathernest:")]
    line = (said[-1] if said else (r.stdout.strip().splitlines() or [""])[-1])[:150]
    print(f"| {label} | {r.returncode} | {time.monotonic() - t0:.1f} | {peak} | "
          f"{line.replace('|', '/')} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    d = Path(args.dir or tempfile.mkdtemp(prefix="hostile-"))
    d.mkdir(parents=True, exist_ok=True)

    def w(name: str, data: object) -> Path:
        path = d / name
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return path

    out = d / "out"
    print("| case | exit | s | peak MB | the line on stderr |\n|---|---|---|---|---|")
    huge = d / "huge.json"
    with huge.open("wb") as f:
        f.truncate(201_000_000)
    run("201 MB job (sparse file)", "nest", huge, "--out", out)
    run("8.8 M vertices in 53 MB", "nest", w("v88.json", '{"format": "leathernest-job", '
        '"pieces": [{"id": "a", "outline": [' + "[0,0]," * 8_800_000 + '[1,1]]}], '
        '"strip": {"height": 10}}'), "--out", out)
    holes = [[[x, y], [x, y + 1], [x + 1, y + 1]] for x in range(1, 981, 4)
             for y in range(1, 981, 4)][:60_000]
    run("a piece with 60,000 holes", "nest", w("holes.json", edited(lambda j: j["pieces"][0].update(
        outline={"outer": [[0, 0], [1000, 0], [1000, 1000], [0, 1000]], "holes": holes}))),
        "--out", out)
    big = [[0, 0], [2000, 0], [2000, 1200], [0, 1200]]
    zones = [{"grade": 0, "outline": [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1]]}
             for x in range(5, 2000, 10) for y in range(5, 1000, 10)]
    run("a hide with 20,000 defects", "nest", w("d20k.json", edited(lambda j: j["hides"][0].update(
        outline=big, zones=zones))), "--time", 2, "--out", out)
    ring = [[2 * math.cos(t / 8 * 2 * math.pi), 2 * math.sin(t / 8 * 2 * math.pi)]
            for t in range(8)]
    z500 = [{"grade": 0, "outline": [[20 + 78 * i + x, 20 + 58 * k + y] for x, y in ring]}
            for i in range(25) for k in range(20)]
    at_limit = edited(lambda j: j["hides"][0].update(outline=big, zones=z500))
    at_limit["pieces"][0]["demand"] = 20
    run("500 defects (the limit), 20 pieces, --time 2", "nest", w("d500.json", at_limit),
        "--time", 2, "--out", d / "o500")
    run("demand 0", "nest", w("d0.json", edited(lambda j: j["pieces"][0].update(demand=0))),
        "--out", out)
    run("a 5,000-digit coordinate", "nest", w("digits.json", json.dumps(TINY).replace(
        "[20, 0]", "[" + "9" * 5000 + ", 0]")), "--out", out)
    tiny = w("tiny.json", TINY)
    run("cutter profile nested 40,000 deep", "nest", tiny, "--cutter-profile", w(
        "deep.json", '{"layers": ' + "[" * 40_000 + "]" * 40_000 + "}"), "--out", out)
    run("cutter profile colour 1e9", "nest", tiny, "--cutter-profile", w(
        "c.json", {"layers": {"outer_cut": {"name": "K", "color": 1e9}}}), "--out", out)
    run("cutter profile layer name with a newline", "nest", tiny, "--cutter-profile", w(
        "nl.json", {"layers": {"outer_cut": "KNI\nFE"}}), "--out", out)
    blocker = w("file", "x")
    run("exercise --out under a file", "exercise", "--level", 1, "--out", blocker / "ex")
    run("exercise --seed 2**70", "exercise", "--level", 1, "--seed", 2**70, "--out", d / "ex")
    run("--layer-map =", "nest", tiny, "--layer-map", "=", "--out", out)
    run("e308 coordinates", "nest", w("e308.json", edited(lambda j: j["pieces"][0].update(
        outline=[[0, 0], [1e308, 0], [1e308, 1e308], [0, 1e308]]))), "--out", out)
    run("a job with strip and hides", "nest", w("both.json", {**TINY, "strip": {"height": 30}}),
        "--out", out)
    run("--engine baseline --time 0.2 (tiny: 20 s unlimited)", "nest", "tiny", "--engine",
        "baseline", "--time", 0.2, "--out", d / "obl")


if __name__ == "__main__":
    main()
