"""Orders proven to fit one hide: generated, then nested again with the whole stock on offer.

Run:  .venv/bin/python benchmarks/one_hide_orders.py --make DIR [--cases 10] [--first 0]
      .venv/bin/python benchmarks/one_hide_orders.py --run DIR [--time 30] [--workers 2] [--seeds 0]

``--make`` draws, for each case, an order of the pattern library on generated hides
(:mod:`benchmarks.make_order`; the products, hide kind and quality differ from case to case),
nests it with a fixed work budget (so the same case is the same on every machine), and keeps the
pieces that one hide copy holds in that valid layout: the copy with the most leather placed. That
sub-order (its pieces, each with the number of copies on that hide; a left/right pair counts
once) is offered again with the whole stock, ``min_hides``: one hide is the answer, and the layout
it came from (``DIR/<case>.proof.json``, checked by the exact validator) proves it. The script
writes ``DIR/<case>.json`` and one line per case.

``--run`` nests every case of DIR with the time and workers given and prints a Markdown table:
hides used (1 is right), utilisation, pieces placed, wall and CPU seconds, and whether every case
came out on one hide.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from make_order import make_order

from leathernest.generators import hides as hidegen
from leathernest.io.instance import load_job
from leathernest.io.solution_json import solution_to_json
from leathernest.model import Job, Mirror
from leathernest.nest import nest, warm_up
from leathernest.search.stop import StopToken
from leathernest.validate import validate

KINDS = ("calf", "goat", "cow_side")
QUALITIES = ("typical", "clean", "poor")
PRODUCTS = (("bifold_wallet", "card_holder", "zip_pouch"), ("card_holder", "zip_pouch"),
            ("bifold_wallet", "card_holder"), ("zip_pouch", "belt"), ("tote_bag", "card_holder"))
PROOF_EFFORT = 400  # x 1000 evaluations: the multi-hide layout the proof is taken from


def case_spec(i: int) -> dict:
    """The order of case i: products, hide kind and quality vary with i."""
    kind = KINDS[i % len(KINDS)]
    n_hides = 2 if kind == "cow_side" else 3
    return {"seed": 100 + i, "kind": kind, "quality": QUALITIES[(i // 3) % len(QUALITIES)],
            "products": PRODUCTS[i % len(PRODUCTS)], "hides": f"{kind}:{n_hides}",
            "pieces": 90 if kind != "goat" else 50}


def make_case(i: int, out: Path) -> str:
    """Write case i's order (and its proof); one line describing it."""
    spec = case_spec(i)
    job, generated, _counts = make_order(spec["seed"], spec["pieces"], spec["hides"],
                                         spec["products"], spec["quality"],
                                         name=f"one-hide-{i:02d}")
    sol = nest(job, stop=StopToken(3600.0, effort=PROOF_EFFORT), workers=1)
    if validate(job, sol):
        raise AssertionError(f"case {i}: the engine's layout is invalid")
    by_copy: dict[tuple[str, int], float] = {}
    pieces = {p.id: p for p in job.pieces}
    for pl in sol.placements:
        key = (pl.hide_id, pl.hide_copy)
        by_copy[key] = by_copy.get(key, 0.0) + pieces[pl.piece_id].area
    host = max(by_copy, key=lambda k: (by_copy[k], k))
    on_host = Counter(pl.piece_id for pl in sol.placements
                      if (pl.hide_id, pl.hide_copy) == host)
    kept = []
    for p in job.pieces:
        n = on_host.get(p.id, 0)
        demand = n // 2 if p.mirror is Mirror.PAIR else n
        if demand:
            kept.append(dataclasses.replace(p, demand=demand))
    sub = dataclasses.replace(job, pieces=tuple(kept))
    (layout,) = [lay for lay in sol.layouts if (lay.hide_id, lay.hide_copy) == host]
    renumber: dict[tuple[str, int], int] = {}  # the copies on the host become 0 .. n - 1
    for pid in on_host:
        pair = pieces[pid].mirror is Mirror.PAIR
        placed = sorted({pl.copy // 2 if pair else pl.copy for pl in layout.placements
                         if pl.piece_id == pid})
        for j, c in enumerate(placed):
            for half in (0, 1) if pair else (None,):
                renumber[(pid, 2 * c + half if pair else c)] = 2 * j + half if pair else j
    layout = dataclasses.replace(layout, hide_copy=0, placements=tuple(
        dataclasses.replace(pl, copy=renumber[(pl.piece_id, pl.copy)], hide_copy=0)
        for pl in layout.placements))
    proof = dataclasses.replace(sol, layouts=(layout,), unplaced=())
    if validate(sub, proof):
        raise AssertionError(f"case {i}: the one-hide proof is invalid")
    hidegen.write_job_json(out / f"{sub.name}.json", sub, generated)
    (out / f"{sub.name}.proof.json").write_text(json.dumps(solution_to_json(sub, proof)))
    n = sum(p.n_copies for p in sub.pieces)
    return (f"{sub.name}: {n} pieces of {', '.join(spec['products'])} on {spec['hides']} "
            f"({spec['quality']}); proof on {host[0]} copy {host[1]}")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the search's workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_cases(folder: Path, time_s: float, workers: int, seeds: list[int]) -> int:
    """Nest every case; print the table; 0 when every run used one hide."""
    warm_up(("hides",))
    rows, ok = [], True
    for path in sorted(folder.glob("one-hide-*.json")):
        if path.name.endswith(".proof.json"):
            continue
        for seed in seeds:
            job: Job = dataclasses.replace(load_job(str(path)), seed=seed)
            t0, c0 = time.perf_counter(), _cpu()
            sol = nest(job, stop=StopToken(time_s), workers=workers)
            cpu = _cpu() - c0
            m = sol.metrics
            ok = ok and m["hides_used"] == 1 and not sol.unplaced
            rows.append(f"| {job.name} | {seed} | {m['hides_used']} | "
                        f"{100 * m['utilisation']:.1f} % | {m['pieces_placed']}/"
                        f"{m['pieces_demanded']} | {time.perf_counter() - t0:.1f} | {cpu:.1f} |")
    print(f"Orders proven to fit one hide, {time_s:g} s, {workers} worker(s):\n")
    print("| case | seed | hides | utilisation | placed | wall s | CPU s |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nevery run on one hide: {'yes' if ok else 'no'}")
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--make", type=Path, help="write the cases into this folder")
    ap.add_argument("--cases", type=int, default=10)
    ap.add_argument("--first", type=int, default=0, help="number of the first case made")
    ap.add_argument("--run", type=Path, help="nest the cases of this folder")
    ap.add_argument("--time", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seeds", default="0")
    args = ap.parse_args()
    if args.make:
        args.make.mkdir(parents=True, exist_ok=True)
        warm_up(("hides",))
        for i in range(args.first, args.first + args.cases):
            print(make_case(i, args.make), flush=True)
    if args.run:
        return run_cases(args.run, args.time, args.workers,
                         [int(s) for s in args.seeds.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
