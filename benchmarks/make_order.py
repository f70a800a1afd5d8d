"""Generate a seeded leather-goods order on generated hides and write it as a leathernest job.

The order is drawn, not picked: products of the pattern library (``leathernest.datasets.patterns``:
pieces with minimum grades, grain lines with tolerances and left/right pairs) are added one at a
time, each drawn uniformly from ``--products``, until the order has at least ``--pieces`` pieces;
the hides come from :mod:`leathernest.generators.hides` presets (outline, grade zones, defects,
backbone, price per m²). One seed gives one order on every machine.

    .venv/bin/python benchmarks/make_order.py --out bench-out/order.json   # 260+ pieces, 8 calves
    .venv/bin/python benchmarks/make_order.py --pieces 500 --hides calf:10 --out scale.json

Prints one line: pieces, products, hides, demanded and usable area and the area lower bound on
hides. Exit 2 when the hides cannot hold the order's area at all (choose more hides).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from leathernest.datasets.patterns.catalog import product_pieces, products
from leathernest.generators import hides as hidegen
from leathernest.model import Job, Objective
from leathernest.report.metrics import usable_region

SMALL_GOODS = ("bifold_wallet", "card_holder", "zip_pouch")
GAP_MM = 2.0  # knife clearance, as the bundled examples (datasets/examples/make_examples.py)
MARGIN_MM = 3.0  # distance to the hide's edge and to blocking zones, as the examples


def parse_hides(text: str) -> list[tuple[str, int]]:
    """``"calf:6,cow_side:2"`` -> [("calf", 6), ("cow_side", 2)]; a bare kind means one hide."""
    out = []
    for part in text.split(","):
        kind, _, n = part.strip().partition(":")
        if kind not in hidegen.PRESETS:
            raise ValueError(f"unknown hide kind {kind!r} (use {', '.join(hidegen.KINDS)})")
        out.append((kind, int(n) if n else 1))
    return out


def area_bound(job: Job) -> int:
    """Fewest hides whose usable area can hold the mandatory pieces' area (a lower bound).

    The largest hides of the stock (each copy counted) are taken until their usable area reaches
    the demanded area; no layout on fewer hides exists, whatever the grades and shapes.
    """
    need = sum(p.area * p.n_copies for p in job.pieces if not p.optional)
    areas = sorted((usable_region(h).area for h in job.hides for _ in range(h.stock)),
                   reverse=True)
    total = 0.0
    for k, a in enumerate(areas, start=1):
        total += a
        if total >= need:
            return k
    return math.inf  # type: ignore[return-value]


def make_order(seed: int = 0, pieces: int = 260, hides: str = "calf:8",
               product_names: tuple[str, ...] = SMALL_GOODS, quality: str = "typical",
               objective: str = "min_hides", time_limit_s: float = 60.0,
               name: str | None = None) -> tuple[Job, list[hidegen.GeneratedHide], Counter]:
    """The order as a job, the generated hides (for their zone labels) and the product counts."""
    known = products()
    for p in product_names:
        if p not in known:
            raise ValueError(f"unknown product {p!r} (use {', '.join(known)})")
    per_product = {p: sum(pc.n_copies for pc in product_pieces(p)) for p in product_names}
    rng = np.random.default_rng(seed)
    counts: Counter = Counter()
    total = 0
    while total < pieces:
        p = product_names[int(rng.integers(len(product_names)))]
        counts[p] += 1
        total += per_product[p]
    job_pieces = [pc for p in product_names if counts[p] for pc in product_pieces(p, counts[p])]
    generated = []
    for k, (kind, n) in enumerate(parse_hides(hides)):
        for i in range(n):
            hseed = 1000 * seed + 100 * k + i
            generated.append(hidegen.generate(kind, hseed, quality=quality,
                                              hide_id=f"{kind}-{hseed}"))
    job = Job(name=name or f"order-{total}p-s{seed}", pieces=tuple(job_pieces),
              stock=tuple(g.hide for g in generated), gap_mm=GAP_MM, margin_mm=MARGIN_MM,
              time_limit_s=time_limit_s, seed=0, objective=Objective(objective))
    return job, generated, counts


def describe(job: Job, counts: Counter | None = None) -> str:
    """One line: pieces, products, hides, demanded and usable area, area bound."""
    n = sum(p.n_copies for p in job.pieces)
    need = sum(p.area * p.n_copies for p in job.pieces) / 1e6
    usable = sum(usable_region(h).area * h.stock for h in job.hides) / 1e6
    prods = "" if counts is None else ", ".join(f"{v} x {k}" for k, v in sorted(counts.items()))
    return (f"{job.name}: {n} pieces ({len(job.pieces)} patterns{'; ' + prods if prods else ''}), "
            f"{sum(h.stock for h in job.hides)} hides, demanded {need:.3f} m², usable "
            f"{usable:.3f} m², area bound {area_bound(job)} hides")


def main(argv: list[str] | None = None) -> int:
    """Write the order; exit 2 when its hides cannot hold it."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("--out", required=True, help="job JSON to write")
    ap.add_argument("--seed", type=int, default=0, help="seeds products and hides (default 0)")
    ap.add_argument("--pieces", type=int, default=260, help="at least this many pieces")
    ap.add_argument("--hides", default="calf:8",
                    help=f"KIND:N,... of {', '.join(hidegen.KINDS)} (default calf:8)")
    ap.add_argument("--products", default=",".join(SMALL_GOODS),
                    help=f"drawn from (default {','.join(SMALL_GOODS)}; all: "
                         f"{','.join(products())})")
    ap.add_argument("--quality", default="typical", choices=hidegen.QUALITY_NAMES)
    ap.add_argument("--objective", default="min_hides",
                    choices=[o.value for o in Objective if o is not Objective.MIN_LENGTH])
    ap.add_argument("--time", type=float, default=60.0, help="the job's time limit (s)")
    args = ap.parse_args(argv)
    try:
        job, generated, counts = make_order(args.seed, args.pieces, args.hides,
                                            tuple(args.products.split(",")), args.quality,
                                            args.objective, args.time)
    except ValueError as exc:
        print(f"make_order: {exc}", file=sys.stderr)
        return 2
    line = describe(job, counts)
    if not math.isfinite(area_bound(job)):
        print(f"make_order: the hides cannot hold the order's area: {line}", file=sys.stderr)
        return 2
    hidegen.write_job_json(Path(args.out), job, generated)
    print(f"{line} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
