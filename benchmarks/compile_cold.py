"""Cold compile of the Numba kernels: what each kernel costs, and what a first run waits.

Run:  .venv/bin/python benchmarks/compile_cold.py [--kinds hides,strip] [--table N] [--out T.md]

Every measurement starts a fresh interpreter with ``NUMBA_CACHE_DIR`` pointed at an empty folder,
so nothing is loaded from a cache:

- **per kernel** (one process, the parts of :mod:`leathernest.search.warm` run in turn): Numba's
  ``numba:compile`` events give each kernel's inclusive seconds (with the kernels it compiled on
  the way) and exclusive seconds (its own typing, lowering, optimisation and machine code, which
  links in the code of everything it calls); ``numba:llvm_lock`` the share spent in LLVM;
- **warm_up as a user meets it**: :func:`leathernest.nest.warm_up` for the kinds asked (in the
  process itself; compiling in parallel processes was measured slower, see its docstring): wall
  and CPU seconds, and the seconds a second run (warm cache) takes.

CPU seconds are the figure to compare on a shared machine; wall seconds depend on what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

PER_KERNEL = r"""
import collections, json, sys, time
from numba.core import event as ev
stack, count, llvm = [], collections.Counter(), [0.0, 0.0]
excl, incl = collections.defaultdict(float), collections.defaultdict(float)
class L(ev.Listener):
    def on_start(self, e):
        if e.kind == "numba:compile":
            f = e.data["dispatcher"].py_func
            name = f.__module__.replace("leathernest.", "") + "." + f.__qualname__
            stack.append([name, time.process_time(), 0.0])
        else:
            llvm[1] = time.process_time()
    def on_end(self, e):
        if e.kind == "numba:compile":
            name, t0, child = stack.pop(); d = time.process_time() - t0
            incl[name] += d; excl[name] += d - child; count[name] += 1
            if stack: stack[-1][2] += d
        else:
            llvm[0] += time.process_time() - llvm[1]
ev.register("numba:compile", L()); ev.register("numba:llvm_lock", L())
from leathernest.search import warm
c0 = time.process_time()
warm.run_parts(warm.parts_for(tuple(sys.argv[1].split(","))))
print(json.dumps({"cpu_s": time.process_time() - c0, "llvm_s": llvm[0],
                  "kernels": [[n, excl[n], incl[n], count[n]] for n in excl]}))
"""

USER = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from leathernest.nest import warm_up
warm_up(tuple(sys.argv[1].split(",")))
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall_s": wall, "cpu_s": cpu}))
"""

WARM = r"""
import json, sys, time
t0 = time.perf_counter()
from leathernest.nest import warm_up
t1 = time.perf_counter()
warm_up(tuple(sys.argv[1].split(",")))
print(json.dumps({"import_s": t1 - t0, "warm_up_s": time.perf_counter() - t1}))
"""


def run(code: str, kinds: str, cache: str) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", code, kinds], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kinds", default="hides,strip", help="job kinds to warm up (hides, strip)")
    ap.add_argument("--table", type=int, default=15, help="kernels in the per-kernel table")
    ap.add_argument("--out", help="append the tables to this Markdown file")
    args = ap.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as a:
        per = run(PER_KERNEL, args.kinds, a)
    lines += [f"Per kernel, one process, cold (kinds {args.kinds}): {per['cpu_s']:.1f} CPU s in "
              f"all, {per['llvm_s']:.1f} s of it in LLVM.", "",
              "| kernel | exclusive CPU s | inclusive CPU s | compiled |", "|---|---|---|---|"]
    for name, ex, inc, n in sorted(per["kernels"], key=lambda r: -r[1])[: args.table]:
        lines.append(f"| `{name}` | {ex:.2f} | {inc:.2f} | {n} |")
    for kinds in args.kinds.split(","), args.kinds.split(",")[:1]:
        k = ",".join(kinds)
        with tempfile.TemporaryDirectory() as a:
            cold = run(USER, k, a)
            hot = run(WARM, k, a)
        lines += ["", f"`warm_up({k})`: cold {cold['wall_s']:.1f} s wall, {cold['cpu_s']:.1f} "
                      f"CPU s; warm: import {hot['import_s']:.2f} s, warm_up "
                      f"{hot['warm_up_s']:.2f} s"]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
