"""The benchmark scripts' own logic: the order generator, the area bound, the CPU hog, the tables.

The scripts live in ``benchmarks/`` (not a package); they are imported from there. Nothing here runs
a search: the scripts' figures come from ``nest``, tested elsewhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from helpers import hide_100, hide_job, square_piece

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import benchlib  # noqa: E402
import make_order  # noqa: E402
import scale  # noqa: E402

from leathernest.io.instance import load_job  # noqa: E402
from leathernest.model import Mirror  # noqa: E402


def test_area_bound_takes_the_largest_hides_until_the_area_is_held():
    # 100 x 100 hides hold 10000 mm² each; 7 squares of 40 x 40 = 11200 mm² need two
    job = hide_job([square_piece("a", 40.0, demand=7)], [hide_100(hid="h1", stock=3)])
    assert make_order.area_bound(job) == 2
    too_much = hide_job([square_piece("a", 40.0, demand=20)], [hide_100(hid="h1")])
    assert make_order.area_bound(too_much) == float("inf")


def test_the_order_is_seeded_and_has_what_the_benchmark_asks(tmp_path):
    job, _, counts = make_order.make_order(seed=3, pieces=250, hides="calf:8")
    again, _, counts2 = make_order.make_order(seed=3, pieces=250, hides="calf:8")
    other, _, _ = make_order.make_order(seed=4, pieces=250, hides="calf:8")
    assert counts == counts2
    assert [p.id for p in job.pieces] == [p.id for p in again.pieces]
    assert [h.outline.outer.tolist() for h in job.hides] == \
        [h.outline.outer.tolist() for h in again.hides]
    assert [h.outline.outer.tolist() for h in job.hides] != \
        [h.outline.outer.tolist() for h in other.hides]
    assert sum(p.n_copies for p in job.pieces) >= 250
    assert len(job.hides) == 8
    assert any(p.mirror is Mirror.PAIR for p in job.pieces)
    assert any(p.grain is not None for p in job.pieces)
    assert len({p.min_grade for p in job.pieces}) > 1
    assert all(h.backbone is not None and h.zones for h in job.hides)
    assert any(z.grade == 0 for h in job.hides for z in h.zones)  # defects
    # the written job reads back as the same order
    path = tmp_path / "order.json"
    assert make_order.main(["--seed", "3", "--pieces", "250", "--out", str(path)]) == 0
    read = load_job(path)
    assert sum(p.n_copies for p in read.pieces) == sum(p.n_copies for p in job.pieces)
    assert [h.id for h in read.hides] == [h.id for h in job.hides]


def test_make_order_refuses_unknown_names_and_too_few_hides(tmp_path, capsys):
    out = str(tmp_path / "o.json")
    assert make_order.main(["--products", "sofa", "--out", out]) == 2
    assert make_order.main(["--hides", "zebra:2", "--out", out]) == 2
    assert make_order.main(["--pieces", "2000", "--hides", "goat:1", "--out", out]) == 2
    assert "cannot hold" in capsys.readouterr().err
    assert not os.path.exists(out)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child that was waited for is gone; a zombie would still answer, so read its state
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc")
def test_the_cpu_hog_runs_one_process_per_core_and_is_killed_after():
    with benchlib.cpu_hog(2) as pids:
        assert len(pids) == 2
        assert all(_alive(p) for p in pids)
    assert not any(_alive(p) for p in pids)


def test_spread_and_geomean():
    assert benchlib.spread([1.0, 2.0, 3.0]) == "2.00 (1.00-3.00)"
    assert benchlib.spread([None, 4.0]) == "4.00"
    assert benchlib.spread([]) == "-"
    assert benchlib.geomean([1.0, 4.0]) == pytest.approx(2.0)
    assert benchlib.geomean([None, 0.0]) != benchlib.geomean([None, 0.0])  # nan: nothing to average


def test_scale_jobs_are_what_the_issue_names(tmp_path):
    """The strips the scale benchmark nests read back as jobs of the asked size and shapes."""
    for kind in ("rect", "mixed"):
        job = load_job(scale.write_job(kind, 120, 0, tmp_path))
        assert job.is_strip
        assert (job.stock.height, job.gap_mm) == (100.0, 0.5)
        assert len(job.pieces) == sum(p.n_copies for p in job.pieces) == 120  # one entry each
    rect = load_job(scale.write_job("rect", 30, 0, tmp_path))
    assert {p.outline.bbox for p in rect.pieces} == {(0.0, 0.0, 3.0, 2.0)}
    mixed = load_job(scale.write_job("mixed", 300, 0, tmp_path))
    assert len({p.outline.bbox for p in mixed.pieces}) == len(scale.MIXED_SIZES)
    patterns = scale.patterns_job(260)
    assert patterns.is_strip
    assert sum(p.n_copies for p in patterns.pieces) >= 260
    assert max(p.outline.n_vertices for p in patterns.pieces) > 20  # curved library outlines
    assert scale.cases(["order", "rect"], None) == [
        ("order", 500), ("order", 1000), ("order", 3000),
        ("rect", 500), ("rect", 5000), ("rect", 20000)]


def test_scale_growth_is_the_factor_per_tenfold_size():
    rows = [{"pieces": n, "wall": {"read": 0.002 * n ** 1.5, "write": 1.0}}
            for n in (500, 5000, 20000)]
    assert scale.growth(rows, "wall", "read") == pytest.approx(10 ** 1.5)
    assert scale.growth(rows, "wall", "write") == pytest.approx(1.0)
    assert scale.growth(rows[:1], "wall", "read") is None  # one size: no growth
    assert scale.growth(rows, "wall", "search") is None  # a phase not measured
