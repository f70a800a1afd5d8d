"""Collision engine (Numba) against shapely 2 on a dense shirts strip and the baldacci1 hide.

Run:  .venv/bin/pytest benchmarks/bench_collision.py --benchmark-enable
or:   .venv/bin/python benchmarks/bench_collision.py [--out T.md] [--log L.jsonl]   (the table)
      .venv/bin/pytest benchmarks/bench_collision.py --benchmark-disable              (smoke test)

The peer is shapely 2 as a user would write it for the same question (is this piece at this
placement free of collisions?), vectorised over all queries of a shape at once
(:mod:`collision_states`): query polygons placed with numpy and built by ``shapely.polygons``,
``STRtree.query(polys, predicate="intersects")`` over the placed pieces and over the zones that
block the piece, and containment in the prepared usable region (``contains_properly``: touching the
edge collides, as in the engine). The engine answers the same queries through its public
``CollisionEngine.batch_feasible``, one call per shape, Python wrapper included. Both sides are
timed on the same query set, alternately (engine, shapely, engine, ...), best of the same number
of repetitions, so that a change of load on a shared machine hits both; the ratio is shapely's
seconds over the engine's, i.e. what a user timing the two on these queries would get. Every
query's answer is compared: the number of disagreements is reported and must be 0 (asserted in
the tests, and the script exits 1 otherwise).

Per state (shirts strip, baldacci1 hide 0 with zones) and query set (random, near-feasible):
engine batch feasibility, engine single feasibility through the Python wrapper, engine overlap
(per-hazard proxy) and batch loss, against shapely (feasibility, and overlap areas for the
proxy). Index: the same batch with one grid cell (a scan over all pieces) and other sizes.
Compile: cold (empty NUMBA_CACHE_DIR, subprocess) and warm import + warmup.

With ``--benchmark-disable`` every test still builds its state, runs each side once and asserts 0
disagreements; ratios go into ``extra_info`` only when timing is on, and the cold compile (a
minute of CPU) is replaced by the warm import check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import benchlib as bl
import collision_states as cs

N_QUERIES = 5000
STATES = {"shirts": cs.shirts_state, "baldacci1": cs.hide_state}


def _best_of(fn, reps=3):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def paired_best(engine, peer, reps: int = 5) -> tuple[float, float]:
    """(engine s, peer s): best of reps each, run alternately so that load changes hit both."""
    te = tp = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        engine()
        t1 = time.perf_counter()
        peer()
        t2 = time.perf_counter()
        te, tp = min(te, t1 - t0), min(tp, t2 - t1)
    return te, tp


def _timed(benchmark) -> float | None:
    """The benchmark's best round in seconds, None when timing is off (--benchmark-disable)."""
    return benchmark.stats.stats.min if benchmark.enabled and benchmark.stats else None


def _engine_batch(state, groups):
    eng = state.engine
    for t, ign, smp in groups:
        eng.batch_feasible(state.shapes[t], smp, ignore=ign)


def _shapely_batch(state, peer, groups):
    eng = state.engine
    for t, ign, smp in groups:
        cs.shapely_feasible(peer, state.shapes[t], smp, ign,
                            eng.mask_for(state.shapes[t].min_grade)[1:])


def _engine_single(state, groups):
    eng = state.engine
    for t, ign, smp in groups:
        shape = state.shapes[t]
        for r, m, x, y in smp.tolist():
            eng.feasible(shape, r, m != 0.0, x, y, ignore=ign)


def _engine_overlap(state, groups):
    eng = state.engine
    for t, ign, smp in groups:
        shape = state.shapes[t]
        for r, m, x, y in smp.tolist():
            eng.overlap(shape, r, m != 0.0, x, y, ignore=ign)


def _engine_loss(state, groups):
    eng = state.engine
    for t, ign, smp in groups:
        eng.batch_loss(state.shapes[t], smp, ignore=ign)


def _shapely_overlap(state, peer, groups):
    for t, ign, smp in groups:
        cs.shapely_overlap(peer, state.shapes[t], smp, ign)


def disagreements(state, peer, groups) -> tuple[int, int, int]:
    """(queries, feasible by the engine, disagreements with shapely)."""
    eng = state.engine
    n = feas = dis = 0
    for t, ign, smp in groups:
        a = eng.batch_feasible(state.shapes[t], smp, ignore=ign).astype(bool)
        b = cs.shapely_feasible(peer, state.shapes[t], smp, ign,
                                eng.mask_for(state.shapes[t].min_grade)[1:])
        n += len(a)
        feas += int(a.sum())
        dis += int((a != b).sum())
    return n, feas, dis


def _n(groups):
    return sum(len(s) for _, _, s in groups)


def _batch_answers(state, groups) -> np.ndarray:
    return np.concatenate([state.engine.batch_feasible(state.shapes[t], smp, ignore=ign)
                           for t, ign, smp in groups])


def _assert_proxy_zero_iff_feasible(state, peer, groups) -> None:
    """The overlap proxy is 0 exactly where shapely finds no collision (the engine's promise)."""
    eng = state.engine
    for t, ign, smp in groups:
        shape = state.shapes[t]
        free = cs.shapely_feasible(peer, shape, smp, ign, eng.mask_for(shape.min_grade)[1:])
        total = np.array([eng.overlap(shape, r, m != 0.0, x, y, ignore=ign).total
                          for r, m, x, y in smp.tolist()])
        assert np.array_equal(total == 0.0, free)


CASES = [(s, k) for s in STATES for k in ("random", "near")]


@pytest.mark.benchmark(group="collision.batch")
@pytest.mark.parametrize(("state_name", "kind"), CASES)
def test_batch_feasibility(benchmark, state_name, kind):
    state = STATES[state_name]()
    groups = cs.queries(state, kind, N_QUERIES)
    peer = cs.shapely_peer(state)
    _engine_batch(state, groups)
    benchmark.pedantic(_engine_batch, args=(state, groups), rounds=5, warmup_rounds=1)
    n = _n(groups)
    _, feas, dis = disagreements(state, peer, groups)
    benchmark.extra_info.update(queries=n, feasible=feas, disagreements=dis)
    if _timed(benchmark) is not None:
        t_eng, t_peer = paired_best(lambda: _engine_batch(state, groups),
                                    lambda: _shapely_batch(state, peer, groups))
        benchmark.extra_info.update(engine_qps=n / t_eng, shapely_qps=n / t_peer,
                                    speedup_vs_shapely=t_peer / t_eng)
    assert dis == 0


@pytest.mark.benchmark(group="collision.pair")
@pytest.mark.parametrize(("state_name", "kind"), CASES)
def test_single_feasibility_through_python(benchmark, state_name, kind):
    state = STATES[state_name]()
    groups = cs.queries(state, kind, N_QUERIES // 5)
    peer = cs.shapely_peer(state)
    benchmark.pedantic(_engine_single, args=(state, groups), rounds=3, warmup_rounds=1)
    n = _n(groups)
    one_by_one = np.concatenate([
        [state.engine.feasible(state.shapes[t], r, m != 0.0, x, y, ignore=ign)
         for r, m, x, y in smp.tolist()] for t, ign, smp in groups])
    assert np.array_equal(one_by_one, _batch_answers(state, groups))
    if (t_eng := _timed(benchmark)) is not None:
        t_peer = _best_of(lambda: _shapely_batch(state, peer, groups))
        benchmark.extra_info.update(queries=n, engine_qps=n / t_eng,
                                    shapely_vectorised_qps=n / t_peer,
                                    speedup_vs_shapely=t_peer / t_eng)


@pytest.mark.benchmark(group="collision.overlap")
@pytest.mark.parametrize(("state_name", "kind"), CASES)
def test_overlap_through_python(benchmark, state_name, kind):
    state = STATES[state_name]()
    groups = cs.queries(state, kind, N_QUERIES // 5)
    peer = cs.shapely_peer(state)
    benchmark.pedantic(_engine_overlap, args=(state, groups), rounds=3, warmup_rounds=1)
    n = _n(groups)
    _assert_proxy_zero_iff_feasible(state, peer, groups)
    if (t_eng := _timed(benchmark)) is not None:
        t_peer = _best_of(lambda: _shapely_overlap(state, peer, groups))
        benchmark.extra_info.update(queries=n, engine_qps=n / t_eng, shapely_area_qps=n / t_peer,
                                    speedup_vs_shapely=t_peer / t_eng)


@pytest.mark.benchmark(group="collision.batch")
@pytest.mark.parametrize(("state_name", "kind"), CASES)
def test_batch_loss(benchmark, state_name, kind):
    state = STATES[state_name]()
    groups = cs.queries(state, kind, N_QUERIES)
    peer = cs.shapely_peer(state)
    benchmark.pedantic(_engine_loss, args=(state, groups), rounds=5, warmup_rounds=1)
    n = _n(groups)
    for t, ign, smp in groups:  # a sample of loss 0 is exactly a feasible one
        best, losses = state.engine.batch_loss(state.shapes[t], smp, ignore=ign)
        feasible = state.engine.batch_feasible(state.shapes[t], smp, ignore=ign)
        assert best >= 0
        assert (losses[best] == 0.0) == bool(feasible.any())
    if (t_eng := _timed(benchmark)) is not None:
        t_peer = _best_of(lambda: _shapely_overlap(state, peer, groups))
        benchmark.extra_info.update(queries=n, engine_qps=n / t_eng, shapely_area_qps=n / t_peer,
                                    speedup_vs_shapely=t_peer / t_eng)


@pytest.mark.benchmark(group="index.query")
@pytest.mark.parametrize("cell_mm", [1e9, 20.0, 10.0, 6.67, 4.0, 2.0])
def test_grid_cell_size_shirts(benchmark, cell_mm):
    state = cs.shirts_state(cell_mm)
    groups = cs.queries(state, "near", N_QUERIES)
    _engine_batch(state, groups)
    benchmark.pedantic(_engine_batch, args=(state, groups), rounds=5, warmup_rounds=1)
    assert np.array_equal(_batch_answers(state, groups), _batch_answers(cs.shirts_state(), groups))
    benchmark.extra_info.update(cells=int(np.prod(state.engine.static.dims)))
    if (t_eng := _timed(benchmark)) is not None:
        benchmark.extra_info.update(engine_qps=_n(groups) / t_eng)


def cold_compile_seconds() -> tuple[float, float, float]:
    """(wall s, CPU s, warmup() s) of a fresh process warming up with an empty NUMBA_CACHE_DIR.

    CPU time is reported beside wall time because the machine is shared: wall time includes waiting
    for a core.
    """
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NUMBA_CACHE_DIR": tmp}
        code = "from leathernest.collision.jit import warmup; print(warmup())"
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        return wall, cpu, float(out.stdout.strip())


def warm_seconds() -> tuple[float, float, float]:
    """(import of leathernest.collision.engine, import + warmup from cache, warmup alone)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import leathernest.collision.engine"], check=True)
    t_imp = time.perf_counter() - t0
    code = "from leathernest.collision.jit import warmup; print(warmup())"
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return t_imp, time.perf_counter() - t0, float(out.stdout.strip())


@pytest.mark.benchmark(group="collision.compile")
def test_cold_compile_and_warm_import(benchmark):
    warm_seconds()  # make sure the default cache is populated
    if not benchmark.enabled:  # smoke test: the warm path only (the cold one costs a CPU minute)
        imp, warm_total, warm_warmup = benchmark.pedantic(warm_seconds, rounds=1, iterations=1)
        assert warm_warmup >= 0.0
        return
    cold = benchmark.pedantic(cold_compile_seconds, rounds=1, iterations=1)
    imp, warm_total, warm_warmup = warm_seconds()
    benchmark.extra_info.update(cold_wall_s=cold[0], cold_cpu_s=cold[1], warm_import_s=imp,
                                warm_import_and_warmup_s=warm_total, warm_warmup_s=warm_warmup)


def measure(name: str, state, peer, kind: str, n_queries: int, reps: int) -> dict:
    """Every figure of one (state, query set): queries per second of each side, disagreements."""
    g = cs.queries(state, kind, n_queries)
    g_small = cs.queries(state, kind, max(n_queries // 5, 1))
    n, ns = _n(g), _n(g_small)
    for fn in (_engine_batch, _engine_single, _engine_overlap, _engine_loss):  # compile, warm
        fn(state, g_small)
    tb, tsb = paired_best(lambda: _engine_batch(state, g), lambda: _shapely_batch(state, peer, g),
                          reps)
    tl, tso = paired_best(lambda: _engine_loss(state, g), lambda: _shapely_overlap(state, peer, g),
                          reps)
    ts = _best_of(lambda: _engine_single(state, g_small), reps)
    to = _best_of(lambda: _engine_overlap(state, g_small), reps)
    _, feas, dis = disagreements(state, peer, g)
    return {"state": name, "queries": kind, "n": n, "feasible": feas, "disagreements": dis,
            "engine_batch_s": tb, "shapely_s": tsb, "engine_loss_s": tl,
            "shapely_overlap_s": tso, "engine_batch_qps": n / tb, "shapely_qps": n / tsb,
            "ratio": tsb / tb, "engine_single_qps": ns / ts, "engine_overlap_qps": ns / to,
            "engine_loss_qps": n / tl, "shapely_overlap_qps": n / tso, "overlap_ratio": tso / tl}


TABLE_HEAD = (
    "| state | queries | n (feasible) | engine batch feasible q/s | shapely vectorised q/s "
    "| ratio | engine feasible() per Python call q/s | engine overlap() per Python call q/s "
    "| engine batch loss q/s | shapely overlap areas q/s | ratio | disagreements |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def table_row(r: dict) -> str:
    """One line of the table."""
    return (f"| {r['state']} | {r['queries']} | {r['n']} ({r['feasible']}) "
            f"| {r['engine_batch_qps']:,.0f} | {r['shapely_qps']:,.0f} | {r['ratio']:.1f}x "
            f"| {r['engine_single_qps']:,.0f} | {r['engine_overlap_qps']:,.0f} "
            f"| {r['engine_loss_qps']:,.0f} | {r['shapely_overlap_qps']:,.0f} "
            f"| {r['overlap_ratio']:.0f}x | {r['disagreements']} |")


def overall(rows: list[dict]) -> dict:
    """All query sets together: total queries over total seconds of each side."""
    n = sum(r["n"] for r in rows)
    te = sum(r["engine_batch_s"] for r in rows)
    tp = sum(r["shapely_s"] for r in rows)
    return {"n": n, "engine_batch_qps": n / te, "shapely_qps": n / tp, "ratio": tp / te,
            "disagreements": sum(r["disagreements"] for r in rows)}


def simplification_effect(n_queries: int, reps: int) -> list[str]:
    """Vertices, usable area and batch speed of baldacci1 hide 0 at several simplify tolerances."""
    from leathernest.collision.engine import CollisionEngine

    job = cs.load_job("datasets/leather/baldacci1.json")
    hide = job.hides[0]
    base = cs.hide_state()
    groups = cs.queries(base, "near", n_queries)
    out = []
    for tol in (0.0, 5.0, 20.0, 50.0):
        eng = CollisionEngine.for_hide(hide, max_pieces=128, simplify_tol_mm=tol)
        for key, t, rot, mir, x, y in base.placed:
            eng.add(key, base.shapes[t], rot, mir, x, y)
        state = cs.State("s", eng, base.shapes, base.placed, base.bounds, base.angles)
        _engine_batch(state, groups)
        tb = _best_of(lambda state=state: _engine_batch(state, groups), reps)
        usable = cs.shapely_peer(state).stock
        n_ok = sum(int(eng.batch_feasible(base.shapes[t], smp, ignore=ign).sum())
                   for t, ign, smp in groups)
        out.append(f"- simplify {tol}: static vertices {eng.static.xy.shape[1]}, usable area "
                   f"{usable.area:,.0f}, near queries feasible {n_ok}, "
                   f"{_n(groups) / tb:,.0f} q/s")
    return out


def main(argv: list[str] | None = None) -> int:
    """Print (and write) the table; exit 1 when the engine and shapely disagree anywhere."""
    import argparse
    import platform

    import shapely

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=N_QUERIES, help="per query set (5000)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions, best taken (5)")
    ap.add_argument("--extras", action="store_true",
                    help="also grid cell sizes, hide simplification and the cold compile")
    ap.add_argument("--out", help="write the markdown here")
    ap.add_argument("--log", help="append every row as a JSON line here")
    args = ap.parse_args(argv)
    head = bl.header("bench_collision.py", args)
    head["geos"] = shapely.geos_version_string
    head["cpu"] = platform.processor() or platform.machine()
    log = bl.JsonlLog(args.log, head)
    lines = ["# bench_collision.py", "", bl.header_line(head) + f", GEOS {head['geos']}", ""]
    rows = []
    for name, make in STATES.items():
        t0 = time.perf_counter()
        state = make()
        lines.append(f"- {name}: {len(state.placed)} pieces placed, bounds "
                     f"{tuple(round(float(b), 1) for b in state.bounds)}, built in "
                     f"{time.perf_counter() - t0:.1f} s, grid "
                     f"{tuple(int(d) for d in state.engine.static.dims)}")
        peer = cs.shapely_peer(state)
        for kind in ("random", "near"):
            r = measure(name, state, peer, kind, args.queries, args.reps)
            rows.append(r)
            log.write(r)
            print(table_row(r), file=sys.stderr, flush=True)
    tot = overall(rows)
    log.write({"overall": tot})
    lines += ["", TABLE_HEAD, *map(table_row, rows), "",
              f"All {tot['n']} queries: engine {tot['engine_batch_qps']:,.0f} q/s, shapely "
              f"{tot['shapely_qps']:,.0f} q/s, **ratio {tot['ratio']:.1f}x** (target 50x), "
              f"{tot['disagreements']} disagreements."]
    if args.extras:
        lines += ["", "Grid cell size (shirts, near queries, batch feasibility):", ""]
        for cell in (1e9, 20.0, 10.0, 6.67, 4.0, 2.0):
            st = cs.shirts_state(cell)
            g = cs.queries(st, "near", args.queries)
            _engine_batch(st, g)
            t = _best_of(lambda st=st, g=g: _engine_batch(st, g), args.reps)
            lines.append(f"- cell {cell}: cells {tuple(int(d) for d in st.engine.static.dims)}: "
                         f"{_n(g) / t:,.0f} q/s")
        lines += ["", "Hide simplification (baldacci1 hide 0):", "",
                  *simplification_effect(args.queries, args.reps)]
        cold, warm = cold_compile_seconds(), warm_seconds()
        log.write({"cold_compile": cold, "warm": warm})
        lines += ["", f"Cold compile: {cold[0]:.1f} s wall, {cold[1]:.1f} s CPU (warmup() "
                  f"{cold[2]:.1f} s); warm: import {warm[0]:.2f} s, import + warmup "
                  f"{warm[1]:.2f} s."]
    text = "\n".join(lines) + "\n"
    print(text)
    bl.write_text(args.out, text)
    return 1 if tot["disagreements"] else 0


if __name__ == "__main__":
    sys.exit(main())
