"""Search throughput: piece moves and separator iterations per second, from the core's counters.

Run:  .venv/bin/python benchmarks/bench_search.py [--time 10] [--out T.md] [--log L.jsonl]
      .venv/bin/pytest benchmarks/bench_search.py --benchmark-enable     (pytest-benchmark)
      .venv/bin/pytest benchmarks/bench_search.py --benchmark-disable    (smoke test)

What is counted is what the search itself counts: :attr:`Separator.moves` (piece moves, each one
``search_position`` with its samples and refinement, plus the tracker update),
:attr:`Separator.iterations` (separator iterations: every colliding piece moved once, then the
guided-local-search weights updated) and the stop token's work (collision evaluations, one per
sample tested). The script times the separator alone, as the exploration phase runs it:

- strips (``shirts``: 99 pieces of 6 vertices; ``gardeyn3``: 100 pieces of up to hundreds of
  vertices, simplified outward for the search): the constructive layout, the strip shortened by
  ``--shrink`` (2 %) with the pieces right of the middle pushed left, as exploration does; then
  separations from that state until ``--time`` seconds are spent, each from the same state;
- hides (``baldacci1``): the constructive layout on the hide sheet, its emptiest hide closed and
  its pieces inserted where they overlap least on the others, as the hide-elimination step does;
  then separations from that state, the same way.

Rates are per CPU second of the separations (robust to a busy machine) and per wall second.

The pytest-benchmark suite times one move, one iteration and one budgeted separation on shirts
(``search.move``, ``search.iteration``, ``search.separate``); with ``--benchmark-disable`` each runs
once and checks that the tracker's losses still equal a recomputation from scratch.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import benchlib as bl

from leathernest.config import SeparatorConfig
from leathernest.io.instance import load_job
from leathernest.search.hides import DEFAULT_HIDES_CONFIG, HideProblem
from leathernest.search.kernels import separate as ksep
from leathernest.search.layout import Layout
from leathernest.search.separate import Separator
from leathernest.search.stop import StopToken
from leathernest.search.strip import DEFAULT_STRIP_CONFIG, StripProblem

CASES = ("shirts", "gardeyn3", "baldacci1")
SHRINK = 0.02  # strip shortened by this share before separating (a hard exploration step)


# -- states ---------------------------------------------------------------------------------------


def strip_state(name: str, seed: int = 0, shrink: float = SHRINK) -> tuple[Layout, Separator]:
    """A strip layout after the constructive start, shortened so that pieces overlap."""
    s = StripProblem(load_job(name), DEFAULT_STRIP_CONFIG, seed, StopToken(math.inf))
    s.start()
    s.set_length(s.length * (1.0 - shrink), 0.5 * s.length)
    return s.layout, Separator(s.layout, s.cfg.explore, s.krng)


def hide_state(name: str, seed: int = 0) -> tuple[Layout, Separator]:
    """A hide sheet after construction with its emptiest used hide closed and its pieces inserted.

    The state the hide-elimination step hands to the separator (an elimination's insertions,
    without the exact placements it tries first). Raises ValueError when the constructive layout
    uses a single hide (nothing to eliminate).
    """
    hs = HideProblem(load_job(name), DEFAULT_HIDES_CONFIG, seed, StopToken(math.inf))
    hs.start()
    lay = hs.layout
    used = hs.open_used()
    if len(used) < 2:
        raise ValueError(f"{name}: the constructive layout uses {len(used)} hide(s)")
    usable = hs.sheet.usable
    victim = min(used, key=lambda c: (float(hs.items.areas[lay.on(c)].sum()) / usable[c], c))
    keys = lay.on(victim).tolist()
    units = sorted({int(hs.items.unit_of[k]) for k in keys})
    for k in keys:
        lay.take(k)
    lay.set_closed(victim, True)
    allowed = np.array([not lay.engine.is_closed(c) for c in range(lay.n_containers)])
    for u in units:
        if not hs._insert_unit(u, allowed):
            raise ValueError(f"{name}: a piece of the closed hide could not be inserted")
    lay.rebuild_tracker()
    return lay, Separator(lay, hs.cfg.separator, hs.krng)


def make_state(name: str, seed: int = 0) -> tuple[Layout, Separator]:
    """The state of a case: a hide sheet for hide jobs, a shortened strip otherwise."""
    return strip_state(name, seed) if load_job(name).is_strip else hide_state(name, seed)


def tracker_consistent(lay: Layout) -> bool:
    """Whether the tracker's losses equal a recomputation from the placements."""
    kept = lay.tracker.save()
    lay.rebuild_tracker()
    return bool(np.allclose(kept.sp, lay.tracker.sp) and np.allclose(kept.se, lay.tracker.se))


# -- the script ------------------------------------------------------------------------------------


def throughput(name: str, seconds: float, seed: int = 0) -> dict:
    """Separate the case's state again and again for ``seconds``; the counters and their rates."""
    lay, sep = make_state(name, seed)
    items = lay.items
    verts = [items.shape(k).for_pieces.xy.shape[1] for k in range(items.n)]
    true_verts = [p.outline.n_vertices for p in items.pieces]
    snap = lay.save()
    overlap0 = lay.total_loss()
    wall = cpu = 0.0
    work = runs = feasible = 0
    while wall < seconds:
        lay.restore(snap)
        lay.tracker.reset_weights()
        tok = StopToken(seconds - wall)
        t0, c0 = time.perf_counter(), time.process_time()
        feasible += sep.separate(tok)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        work += tok.work
        runs += 1
    moves, iters = sep.moves, sep.iterations
    return {
        "case": name, "copies": items.n, "live": int(lay.live.sum()),
        "vertices_mean": sum(verts) / len(verts), "true_vertices_mean":
            sum(true_verts) / len(true_verts), "containers": lay.n_containers,
        "overlap_at_start": overlap0, "separations": runs, "feasible": feasible,
        "moves": moves, "iterations": iters, "evaluations": work, "wall_s": wall, "cpu_s": cpu,
        "moves_per_cpu_s": moves / cpu if cpu else None,
        "iterations_per_cpu_s": iters / cpu if cpu else None,
        "evaluations_per_cpu_s": work / cpu if cpu else None,
        "moves_per_wall_s": moves / wall if wall else None,
        "iterations_per_wall_s": iters / wall if wall else None,
        "evaluations_per_move": work / moves if moves else None,
        "moves_per_iteration": moves / iters if iters else None,
        "tracker_consistent": tracker_consistent(lay),
    }


TABLE_HEAD = ("| case | copies (in play) | vertices per piece, search (true) | moves / CPU s "
              "| iterations / CPU s | evaluations / CPU s | moves / wall s | iterations / wall s "
              "| evaluations per move | moves per iteration | separations (feasible) | CPU s "
              "| wall s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def table_row(r: dict) -> str:
    """One line of the table."""
    whole, tenth = "{:,.0f}", "{:,.1f}"
    return (f"| {r['case']} | {r['copies']} ({r['live']}) | {r['vertices_mean']:.1f} "
            f"({r['true_vertices_mean']:.1f}) | {bl.num(r['moves_per_cpu_s'], whole)} "
            f"| {bl.num(r['iterations_per_cpu_s'], tenth)} "
            f"| {bl.num(r['evaluations_per_cpu_s'], whole)} "
            f"| {bl.num(r['moves_per_wall_s'], whole)} "
            f"| {bl.num(r['iterations_per_wall_s'], tenth)} "
            f"| {bl.num(r['evaluations_per_move'], tenth)} "
            f"| {bl.num(r['moves_per_iteration'], tenth)} | {r['separations']} ({r['feasible']}) "
            f"| {r['cpu_s']:.1f} | {r['wall_s']:.1f} |")


def main(argv: list[str] | None = None) -> int:
    """Print (and write) the table; exit 1 when a case failed or its tracker drifted."""
    from leathernest.nest import warm_up

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:]))
    ap.add_argument("--cases", default=",".join(CASES),
                    help=f"bundled names or files (default {','.join(CASES)})")
    ap.add_argument("--time", type=float, default=10.0, help="seconds of separation per case")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="write the markdown here")
    ap.add_argument("--log", help="append every row as a JSON line here")
    args = ap.parse_args(argv)
    head = bl.header("bench_search.py", args)
    log = bl.JsonlLog(args.log, head)
    warm_up()
    rows, failed = [], []
    for name in bl.parse_list(args.cases):
        try:
            r = throughput(name, args.time, args.seed)
        except ValueError as exc:
            failed.append(f"- {name}: {exc}")
            continue
        rows.append(r)
        log.write(r)
        print(table_row(r), file=sys.stderr, flush=True)
        if not r["tracker_consistent"]:
            failed.append(f"- {name}: the tracker's losses differ from a recomputation")
    text = "\n".join(["# bench_search.py", "", bl.header_line(head), "",
                      f"Separator alone, {args.time:g} s per case, seed {args.seed}, one core.",
                      "", TABLE_HEAD, *map(table_row, rows), "", *failed]) + "\n"
    print(text)
    bl.write_text(args.out, text)
    return 1 if failed else 0


# -- pytest-benchmark -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shirts() -> tuple[Layout, Separator]:
    """The shortened shirts strip and its separator."""
    from leathernest.nest import warm_up

    warm_up()
    return strip_state("shirts")


@pytest.mark.benchmark(group="search.move")
def test_move_one_piece(benchmark, shirts) -> None:
    lay, sep = shirts
    snap = lay.save()
    k = int(lay.tracker.colliding(lay.live)[0])
    out = np.zeros(6)

    def setup():
        lay.restore(snap)
        return (lay.arrays, k, sep.rng, out), {}

    benchmark.pedantic(ksep.move_copy, setup=setup, rounds=200, warmup_rounds=5)
    lay.sync_engine()
    assert tracker_consistent(lay)


@pytest.mark.benchmark(group="search.iteration")
def test_separator_iteration(benchmark, shirts) -> None:
    lay, sep = shirts
    snap = lay.save()
    moved = []
    # one iteration (every colliding piece moves, then the weights): any work ends the next
    one = Separator(lay, SeparatorConfig(iter_no_improve=1, strikes=1, max_work_per_piece=1e-9),
                    sep.rng)

    def setup():
        lay.restore(snap)
        return (), {}

    def iteration() -> None:
        before = one.moves
        one.separate(StopToken(600.0))
        moved.append(one.moves - before)

    benchmark.pedantic(iteration, setup=setup, rounds=30, warmup_rounds=2)
    benchmark.extra_info["moves_per_iteration"] = sum(moved) / len(moved)
    assert min(moved) > 0
    assert tracker_consistent(lay)


@pytest.mark.benchmark(group="search.separate")
def test_budgeted_separation(benchmark, shirts) -> None:
    lay, sep = shirts
    snap = lay.save()
    budget = 20_000  # evaluations per round: about a tenth of a second
    runs = []

    def setup():
        lay.restore(snap)
        lay.tracker.reset_weights()
        return (), {}

    def separate() -> None:
        tok = StopToken(effort=budget)
        m0, i0 = sep.moves, sep.iterations
        done = sep.separate(tok)
        runs.append((sep.moves - m0, sep.iterations - i0, tok.work, done))

    benchmark.pedantic(separate, setup=setup, rounds=5, warmup_rounds=1)
    moves, iters, work, done = (sum(c) / len(runs) for c in zip(*runs, strict=True))
    benchmark.extra_info.update(moves=moves, iterations=iters, evaluations=work)
    if benchmark.enabled and benchmark.stats:
        t = benchmark.stats.stats.mean
        benchmark.extra_info.update(moves_per_s=moves / t, iterations_per_s=iters / t)
    assert moves > 0
    # the token is charged (at least) the budget unless the overlap was resolved before
    assert work >= budget or done == 1.0
    assert tracker_consistent(lay)


if __name__ == "__main__":
    sys.exit(main())
