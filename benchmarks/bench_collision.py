"""Collision engine (Numba) against shapely 2 on a dense shirts strip and the baldacci1 hide.

Run:  .venv/bin/pytest benchmarks/bench_collision.py --benchmark-enable
or:   .venv/bin/python benchmarks/bench_collision.py      (prints the RESULTS.md table)

Per state (shirts strip, baldacci1 hide 0 with zones) and query set (random, near-feasible):
engine batch feasibility, engine single feasibility through the Python wrapper, engine overlap
(per-hazard proxy) and batch loss, against shapely 2 vectorised (numpy-placed polygons, STRtree over
placed pieces and zones, prepared stock). The ratio and the number of disagreements go into
extra_info. Index: the same batch with one grid cell (a scan over all pieces) and other sizes.
Compile: cold (empty NUMBA_CACHE_DIR, subprocess) and warm import + warmup.
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
    t_peer = _best_of(lambda: _shapely_batch(state, peer, groups))
    t_eng = benchmark.stats.stats.min
    _, feas, dis = disagreements(state, peer, groups)
    benchmark.extra_info.update(
        queries=n, feasible=feas, disagreements=dis, engine_qps=n / t_eng,
        shapely_qps=n / t_peer, speedup_vs_shapely=t_peer / t_eng)
    assert dis == 0


@pytest.mark.benchmark(group="collision.pair")
@pytest.mark.parametrize(("state_name", "kind"), CASES)
def test_single_feasibility_through_python(benchmark, state_name, kind):
    state = STATES[state_name]()
    groups = cs.queries(state, kind, N_QUERIES // 5)
    peer = cs.shapely_peer(state)
    benchmark.pedantic(_engine_single, args=(state, groups), rounds=3, warmup_rounds=1)
    n = _n(groups)
    t_peer = _best_of(lambda: _shapely_batch(state, peer, groups))
    benchmark.extra_info.update(queries=n, engine_qps=n / benchmark.stats.stats.min,
                                shapely_vectorised_qps=n / t_peer,
                                speedup_vs_shapely=t_peer / benchmark.stats.stats.min)


@pytest.mark.benchmark(group="collision.overlap")
@pytest.mark.parametrize(("state_name", "kind"), CASES)
def test_overlap_through_python(benchmark, state_name, kind):
    state = STATES[state_name]()
    groups = cs.queries(state, kind, N_QUERIES // 5)
    peer = cs.shapely_peer(state)
    benchmark.pedantic(_engine_overlap, args=(state, groups), rounds=3, warmup_rounds=1)
    n = _n(groups)
    t_peer = _best_of(lambda: _shapely_overlap(state, peer, groups))
    benchmark.extra_info.update(queries=n, engine_qps=n / benchmark.stats.stats.min,
                                shapely_area_qps=n / t_peer,
                                speedup_vs_shapely=t_peer / benchmark.stats.stats.min)


@pytest.mark.benchmark(group="collision.batch")
@pytest.mark.parametrize(("state_name", "kind"), CASES)
def test_batch_loss(benchmark, state_name, kind):
    state = STATES[state_name]()
    groups = cs.queries(state, kind, N_QUERIES)
    peer = cs.shapely_peer(state)
    benchmark.pedantic(_engine_loss, args=(state, groups), rounds=5, warmup_rounds=1)
    n = _n(groups)
    t_peer = _best_of(lambda: _shapely_overlap(state, peer, groups))
    benchmark.extra_info.update(queries=n, engine_qps=n / benchmark.stats.stats.min,
                                shapely_area_qps=n / t_peer,
                                speedup_vs_shapely=t_peer / benchmark.stats.stats.min)


@pytest.mark.benchmark(group="index.query")
@pytest.mark.parametrize("cell_mm", [1e9, 20.0, 10.0, 6.67, 4.0, 2.0])
def test_grid_cell_size_shirts(benchmark, cell_mm):
    state = cs.shirts_state(cell_mm)
    groups = cs.queries(state, "near", N_QUERIES)
    _engine_batch(state, groups)
    benchmark.pedantic(_engine_batch, args=(state, groups), rounds=5, warmup_rounds=1)
    benchmark.extra_info.update(engine_qps=_n(groups) / benchmark.stats.stats.min,
                                cells=int(np.prod(state.engine.static.dims)))


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
    cold = benchmark.pedantic(cold_compile_seconds, rounds=1, iterations=1)
    imp, warm_total, warm_warmup = warm_seconds()
    benchmark.extra_info.update(cold_wall_s=cold[0], cold_cpu_s=cold[1], warm_import_s=imp,
                                warm_import_and_warmup_s=warm_total, warm_warmup_s=warm_warmup)


def _row(name: str, state, peer, kind: str) -> str:
    g = cs.queries(state, kind, N_QUERIES)
    g_small = cs.queries(state, kind, N_QUERIES // 5)
    n, ns = _n(g), _n(g_small)
    _engine_batch(state, g)
    _engine_single(state, g_small)
    _engine_overlap(state, g_small)
    _engine_loss(state, g)
    tb = _best_of(lambda: _engine_batch(state, g), 5)
    tsb = _best_of(lambda: _shapely_batch(state, peer, g))
    ts = _best_of(lambda: _engine_single(state, g_small))
    to = _best_of(lambda: _engine_overlap(state, g_small))
    tl = _best_of(lambda: _engine_loss(state, g), 5)
    tso = _best_of(lambda: _shapely_overlap(state, peer, g))
    _, feas, dis = disagreements(state, peer, g)
    return (f"| {name} | {kind} | {n} ({feas} feasible) | {n / tb:,.0f} | {n / tsb:,.0f} "
            f"| {tsb / tb:.1f}x | {ns / ts:,.0f} | {ns / to:,.0f} | {n / tl:,.0f} "
            f"| {n / tso:,.0f} | {tso / tl:.0f}x | {dis} |")


def simplification_effect() -> None:
    """Vertices, usable area and batch speed of baldacci1 hide 0 at several simplify tolerances."""
    from leathernest.collision.engine import CollisionEngine

    job = cs.load_job("datasets/leather/baldacci1.json")
    hide = job.hides[0]
    base = cs.hide_state()
    groups = cs.queries(base, "near", N_QUERIES)
    for tol in (0.0, 5.0, 20.0, 50.0):
        eng = CollisionEngine.for_hide(hide, max_pieces=128, simplify_tol_mm=tol)
        for key, t, rot, mir, x, y in base.placed:
            eng.add(key, base.shapes[t], rot, mir, x, y)
        state = cs.State("s", eng, base.shapes, base.placed, base.bounds, base.angles)
        _engine_batch(state, groups)
        tb = _best_of(lambda state=state: _engine_batch(state, groups), 5)
        usable = cs.shapely_peer(state).stock
        n_ok = sum(int(eng.batch_feasible(base.shapes[t], smp, ignore=ign).sum())
                   for t, ign, smp in groups)
        print(f"simplify {tol}: static vertices {eng.static.xy.shape[1]}, usable area "
              f"{usable.area:,.0f}, near queries feasible {n_ok}, {_n(groups) / tb:,.0f} q/s")


def main() -> None:
    import platform

    import numba
    import shapely

    print(f"python {platform.python_version()}, numba {numba.__version__}, "
          f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
          f"numpy {np.__version__}, cpu {platform.processor() or platform.machine()}")
    print("| state | queries | n | engine batch feasible q/s | shapely vectorised q/s | ratio "
          "| engine single feasible q/s (Python call) | engine overlap q/s (Python call) "
          "| engine batch loss q/s | shapely overlap area q/s | ratio | disagreements |")
    for name, make in STATES.items():
        t0 = time.perf_counter()
        state = make()
        print(f"{name}: {len(state.placed)} pieces placed, bounds {state.bounds}, "
              f"built in {time.perf_counter() - t0:.1f} s, grid {state.engine.static.dims}")
        peer = cs.shapely_peer(state)
        for kind in ("random", "near"):
            print(_row(name, state, peer, kind))
    for cell in (1e9, 20.0, 10.0, 6.67, 4.0, 2.0):
        st = cs.shirts_state(cell)
        g = cs.queries(st, "near", N_QUERIES)
        _engine_batch(st, g)
        t = _best_of(lambda st=st, g=g: _engine_batch(st, g), 5)
        print(f"grid cell {cell}: cells {tuple(st.engine.static.dims)}: {_n(g) / t:,.0f} q/s")
    simplification_effect()
    print("cold compile (wall s, cpu s, warmup s):", cold_compile_seconds())
    print("warm (import s, import+warmup s, warmup s):", warm_seconds())


if __name__ == "__main__":
    main()
