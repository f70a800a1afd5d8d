"""Batch queries equal single queries; the grid equals no grid; snapshots restore; strip length."""

from __future__ import annotations

import ast
import itertools
import pathlib

import numpy as np
from collision_strategies import PROFILE, outlines
from hypothesis import given
from hypothesis import strategies as st

from leathernest.collision.engine import CollisionEngine
from leathernest.collision.fixtures import square, tiny_hide


def _random_state(seed: int, outline_list, n_pieces: int = 12, hide: bool = False):
    rng = np.random.default_rng(seed)
    if hide:
        eng = CollisionEngine.for_hide(tiny_hide(), gap_mm=0.5, margin_mm=0.5, max_pieces=32)
        lo, hi = (0.0, 0.0), (100.0, 90.0)
    else:
        eng = CollisionEngine.for_strip(40.0, 80.0, gap_mm=0.5, max_pieces=32, cell_mm=7.0)
        lo, hi = (0.0, 0.0), (100.0, 40.0)
    shapes = [eng.prepare(o) for o in outline_list]
    for k in range(n_pieces):
        eng.add(k, shapes[k % len(shapes)], *_tf(rng, lo, hi))
    return eng, shapes, rng, lo, hi


def _tf(rng, lo, hi):
    return (
        float(rng.uniform(0, 360)),
        bool(rng.integers(2)),
        float(rng.uniform(lo[0], hi[0])),
        float(rng.uniform(lo[1], hi[1])),
    )


@PROFILE
@given(st.lists(outlines(), min_size=1, max_size=4), st.integers(0, 2**31), st.booleans())
def test_batch_kernels_equal_single_queries(outline_list, seed, hide):
    eng, shapes, rng, lo, hi = _random_state(seed, outline_list, hide=hide)
    shape = shapes[0]
    samples = np.array([[*_tf(rng, lo, hi)] for _ in range(20)], dtype=np.float64)
    ok = eng.batch_feasible(shape, samples, ignore=0)
    single = [eng.feasible(shape, r, bool(m), x, y, ignore=0) for r, m, x, y in samples]
    assert ok.tolist() == [int(v) for v in single]
    best, losses = eng.batch_loss(shape, samples, ignore=0)
    totals = [eng.overlap(shape, r, bool(m), x, y, ignore=0).total for r, m, x, y in samples]
    assert best == int(np.argmin(totals))
    assert np.isclose(losses[best], totals[best], rtol=1e-9, atol=0)
    finite = np.isfinite(losses)
    assert np.allclose(losses[finite], np.array(totals)[finite], rtol=1e-9, atol=0)
    assert all(t >= losses[best] for t in totals)
    assert all((t == 0) == bool(o) for t, o in zip(totals, ok, strict=True))


@PROFILE
@given(st.lists(outlines(), min_size=1, max_size=4), st.integers(0, 2**31))
def test_the_grid_finds_what_a_single_cell_finds(outline_list, seed):
    """The grid's cell lists only select what is tested: a fine grid and a grid of one cell (every
    placed piece tested) hit the same pieces, however the pieces moved and left."""
    fine = CollisionEngine.for_strip(40.0, 80.0, gap_mm=0.5, max_pieces=32, cell_mm=7.0)
    one = CollisionEngine.for_strip(40.0, 80.0, gap_mm=0.5, max_pieces=32, cell_mm=1e6)
    assert tuple(one.static.dims) == (1, 1)
    rng = np.random.default_rng(seed)
    lo, hi = (0.0, 0.0), (100.0, 40.0)
    shapes = [fine.prepare(o) for o in outline_list]
    for k in range(16):
        tf = _tf(rng, lo, hi)
        fine.add(k, shapes[k % len(shapes)], *tf)
        one.add(k, shapes[k % len(shapes)], *tf)
    for _ in range(10):
        k = int(rng.integers(16))
        if rng.random() < 0.3 and fine.is_placed(k):
            fine.remove(k)
            one.remove(k)
        elif fine.is_placed(k):
            tf = _tf(rng, lo, hi)
            fine.move(k, *tf)
            one.move(k, *tf)
    shape = shapes[-1]
    for _ in range(10):
        tf = _tf(rng, lo, hi)
        hits = sorted(i for i in fine.overlap(shape, *tf).ids.tolist() if i >= 0)
        assert hits == sorted(i for i in one.overlap(shape, *tf).ids.tolist() if i >= 0)


def test_save_restore_and_copy_are_independent():
    eng = CollisionEngine.for_hide(tiny_hide(), max_pieces=4)
    sq = eng.prepare(square())
    eng.add(0, sq, 0.0, False, 30.0, 30.0)
    snap = eng.save()
    other = eng.copy()
    eng.move(0, 0.0, False, 60.0, 20.0)
    eng.add(1, sq, 0.0, False, 30.0, 30.0)
    assert not eng.feasible(sq, 0.0, False, 60.0, 20.0)
    assert other.feasible(sq, 0.0, False, 60.0, 20.0)
    assert not other.feasible(sq, 0.0, False, 31.0, 30.0)
    eng.restore(snap)
    assert eng.placed_keys().tolist() == [0]
    assert eng.feasible(sq, 0.0, False, 60.0, 20.0)
    assert not eng.feasible(sq, 0.0, False, 31.0, 30.0)
    eng.restore(snap)  # a snapshot can be restored twice
    assert eng.placement(0)[1:] == (0.0, False, 30.0, 30.0)


def test_strip_length_change_moves_the_right_edge():
    eng = CollisionEngine.for_strip(40.0, 100.0, gap_mm=0.0, margin_mm=1.0, max_pieces=2)
    sq = eng.prepare(square())
    assert eng.feasible(sq, 0.0, False, 93.9, 20.0)
    eng.set_strip_length(90.0)
    assert not eng.feasible(sq, 0.0, False, 84.01, 20.0)  # margin 1: right edge usable up to 89
    assert eng.feasible(sq, 0.0, False, 83.99, 20.0)
    assert eng.strip_length == 90.0
    eng.set_strip_length(500.0)  # beyond the grid: clamped cells keep answers right
    eng.add(0, sq, 0.0, False, 450.0, 20.0)
    assert not eng.feasible(sq, 0.0, False, 455.0, 20.0)
    assert eng.feasible(sq, 0.0, False, 470.0, 20.0)


def test_overlap_grows_with_penetration():
    eng = CollisionEngine.for_strip(100.0, 100.0, max_pieces=2)
    sq = eng.prepare(square())
    eng.add(0, sq, 0.0, False, 50.0, 50.0)
    values = [
        eng.overlap(sq, 0.0, False, 50.0 + d, 50.0).total
        for d in (10.5, 10.0, 9.99, 9.0, 7.0, 5.0, 2.0, 0.0)
    ]
    assert values[0] == 0.0
    assert all(v > 0 for v in values[1:])
    assert all(b > a for a, b in itertools.pairwise(values))
    # sticking out of the strip grows too
    ext = [eng.overlap(sq, 0.0, False, x, 20.0).total for x in (5.5, 5.0, 4.0, 2.0, 0.0, -3.0)]
    assert ext[0] == 0.0
    assert all(b > a for a, b in itertools.pairwise(ext))


def test_weighted_total_uses_weights_per_hazard():
    eng = CollisionEngine.for_strip(100.0, 100.0, max_pieces=3)
    sq = eng.prepare(square())
    eng.add(0, sq, 0.0, False, 50.0, 50.0)
    eng.add(2, sq, 0.0, False, 58.0, 50.0)
    ov = eng.overlap(sq, 0.0, False, 54.0, 50.0)
    assert sorted(ov.ids.tolist()) == [0, 2]
    w = np.array([1.0, 1.0, 3.0])
    ov3 = eng.overlap(sq, 0.0, False, 54.0, 50.0, w_piece=w)
    v = dict(zip(ov.ids.tolist(), ov.values.tolist(), strict=True))
    assert np.isclose(ov3.total, v[0] + 3 * v[2])


def test_every_kernel_states_its_fastmath_flag_set():
    """Kernels are declared ``@kernel(EXACT)`` or ``@kernel(FAST)``; no bare ``@njit``."""
    root = pathlib.Path(__file__).parents[2] / "nesting"
    kernels = 0
    for path in root.rglob("*.py"):
        if path.name == "jit.py":
            continue  # where kernel() itself wraps njit
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                name = getattr(dec.func if isinstance(dec, ast.Call) else dec, "id", "")
                assert name not in {"njit", "jit"}, f"{path.name}:{node.name}: use @kernel"
                if name == "kernel":
                    kernels += 1
                    assert isinstance(dec, ast.Call), node.name
                    assert dec.args, node.name
                    assert getattr(dec.args[0], "id", "") in {"EXACT", "FAST"}, node.name
    assert kernels > 30


def test_importing_the_engine_compiles_nothing():
    import subprocess
    import sys

    code = (
        "import leathernest.collision.engine as e\n"
        "print(sum(len(d.signatures) for d in (e.query, e.set_key, e.grid_remove)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
