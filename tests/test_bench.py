"""The benchmark runner: the peer-layout check, the matrix, the tables, the Dask path, the CLI."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import hide_100, l_piece, rect, square_piece

from leathernest.bench.peer_check import check_peer_layout, rigid_fit
from leathernest.bench.peers import Peer, find_peer
from leathernest.bench.plan import build_matrix
from leathernest.bench.runner import run_benchmark
from leathernest.bench.runs import RunSpec, run_one
from leathernest.bench.tables import markdown_table, summarise, to_csv
from leathernest.cli.main import main
from leathernest.model import Job, Outline, Rotations, Strip, Zone


def strip_job(height: float = 20.0) -> Job:
    return Job("s", (square_piece("A", demand=2), l_piece("L")), Strip(height))


def moved(points, deg: float = 0.0, dx: float = 0.0, dy: float = 0.0) -> list[list[float]]:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return [[c * x - s * y + dx, s * x + c * y + dy] for x, y in points]


L_RING = [[0, 0], [20, 0], [20, 10], [10, 10], [10, 20], [0, 20]]


def strip_layout(length: float = 40.0, **overrides) -> dict:
    placements = [
        {"item_id": "A", "polygon": rect(10, 10)},
        {"item_id": "A", "polygon": rect(10, 10, 0, 10)},
        {"item_id": "L", "polygon": moved(L_RING, dx=10)},
    ]
    for i, poly in overrides.items():
        placements[int(i[1:])]["polygon"] = poly
    return {"strip_length": length, "bins": [{"bin_id": 0, "placements": placements}]}


# --- rigid fit -----------------------------------------------------------------------------------


def test_rigid_fit_recovers_rotation_whatever_the_start_vertex():
    ref = np.array(L_RING, dtype=float)
    placed = np.roll(np.array(moved(L_RING, 90.0, 5.0, -3.0)), 2, axis=0)
    angle, err = rigid_fit(ref, placed)
    assert angle == pytest.approx(90.0, abs=1e-9)
    assert err < 1e-9


def test_rigid_fit_rejects_a_mirrored_shape():
    ring = [[0, 0], [30, 0], [30, 10], [10, 10], [10, 20], [0, 20]]  # legs 30 and 20: chiral
    ref = np.array(ring, dtype=float)
    mirrored = np.array([[-x, y] for x, y in ring])[::-1]  # mirrored, re-oriented ccw
    _angle, err = rigid_fit(ref, mirrored)
    assert err > 1.0


# --- peer layout check ---------------------------------------------------------------------------


def test_peer_strip_layout_that_fits_is_valid_and_scored_like_the_report():
    job = strip_job()
    score = check_peer_layout(job, strip_layout())
    assert score.violations == []
    assert score.placed == 3
    assert score.demand == 3
    placed_area = 2 * 100 + 300
    assert score.density == pytest.approx(placed_area / (20 * 40))


@pytest.mark.parametrize(("override", "length", "kind"), [
    ({"p1": rect(10, 10, 5, 5)}, 40.0, "overlap"),  # second square on the first
    ({"p2": moved(L_RING, dx=25)}, 40.0, "outside"),  # past the strip length
    ({"p0": rect(10, 10, 0, 12)}, 40.0, "outside"),  # above the strip height
    ({"p0": moved(rect(10, 10), 45.0, 20, 30)}, 100.0, "rotation"),  # squares turn by 90 only
    ({"p0": rect(10, 9)}, 40.0, "shape"),  # not the piece's outline
])
def test_peer_strip_layout_breaking_a_rule_is_reported(override, length, kind):
    score = check_peer_layout(strip_job(), strip_layout(length, **override))
    assert not score.valid
    assert any(v.startswith(kind) for v in score.violations), score.violations


def test_peer_layout_placing_more_copies_than_demanded_is_reported():
    layout = strip_layout()
    layout["bins"][0]["placements"].append({"item_id": "L", "polygon": moved(L_RING, dx=40)})
    layout["strip_length"] = 60.0
    score = check_peer_layout(strip_job(), layout)
    assert any(v.startswith("demand") for v in score.violations)


def test_peer_hide_layout_respects_zones_by_grade():
    zones = (Zone(Outline.of(rect(30, 30, 60, 60)), 2), Zone(Outline.of(rect(10, 10, 5, 80)), 0))
    job = Job("h", (square_piece("best", demand=1), square_piece("low", demand=1, min_grade=2)),
              (hide_100(zones=zones),))
    good = {"bins": [{"bin_id": "H", "placements": [
        {"item_id": "best", "polygon": rect(10, 10, 10, 10)},
        {"item_id": "low", "polygon": rect(10, 10, 65, 65)},  # grade 2 is fine for min grade 2
    ]}]}
    score = check_peer_layout(job, good)
    assert score.violations == []
    assert score.hides_used == 1
    usable = 100 * 100 - 10 * 10  # the grade-0 zone is not usable
    assert score.utilisation == pytest.approx(200 / usable)
    bad = {"bins": [{"bin_id": "H", "placements": [
        {"item_id": "best", "polygon": rect(10, 10, 65, 65)},  # best grade only: zone blocks it
        {"item_id": "low", "polygon": rect(10, 10, 5, 80)},  # on the hole
    ]}]}
    kinds = {v.split(":")[0] for v in check_peer_layout(job, bad).violations}
    assert kinds == {"grade", "defect"}


def test_peer_hide_layout_off_the_hide_or_on_an_unknown_bin_is_reported():
    job = Job("h", (square_piece("a"),), (hide_100(),))
    off = {"bins": [{"bin_id": "H",
                     "placements": [{"item_id": "a", "polygon": rect(10, 10, 95, 0)}]}]}
    assert any(v.startswith("outside") for v in check_peer_layout(job, off).violations)
    unknown = {"bins": [{"bin_id": "X", "placements": []}]}
    assert any(v.startswith("unknown") for v in check_peer_layout(job, unknown).violations)


# --- peers and matrix ----------------------------------------------------------------------------


def test_missing_peer_is_reported_not_raised(tmp_path):
    peer = find_peer("sparrow", python=tmp_path / "nope" / "python", peers_dir=tmp_path)
    assert not peer.installed
    assert "spyrrow" in peer.missing


def test_matrix_skips_peers_that_are_missing_or_solve_the_other_kind():
    missing = Peer("sparrow", "strip", None, None, missing="no Python for spyrrow")
    fake_ps = Peer("packingsolver", "hides", None, None, version="0")  # "installed"
    specs, skips = build_matrix(["jakobs1", "tiny"], [0, 1], [1.0, 2.0],
                                ["leathernest", "sparrow", "packingsolver"],
                                {"sparrow": missing, "packingsolver": fake_ps})
    assert len(specs) == 2 * 2 * 2  # leathernest only: 2 instances x 2 seeds x 2 time limits
    assert {s.engine for s in specs} == {"leathernest"}
    reasons = {(s.instance, s.engine): s.reason for s in skips}
    assert reasons[("jakobs1", "sparrow")].startswith("not installed")
    assert "hides instances only" in reasons[("jakobs1", "packingsolver")]
    assert "jagua-rs" in reasons[("tiny", "packingsolver")]  # a leathernest job file


def test_a_failing_run_becomes_an_invalid_row():
    spec = RunSpec("no-such-instance.json", "strip", "leathernest", 0, 1.0)
    row = run_one(spec, {}, "unused", "abc")
    assert row["valid"] is False
    assert "no-such-instance" in row["error"]
    assert row["commit"] == "abc"


# --- tables --------------------------------------------------------------------------------------


def _row(engine: str, seed: int, density: float | None, placed: int = 10, valid: bool = True):
    return {"instance": "i", "kind": "strip", "engine": engine, "seed": seed, "time_limit_s": 5.0,
            "workers": 1, "density": density, "strip_length": 1.0, "hides_used": None,
            "utilisation": None, "placed": placed, "demand": 10, "valid": valid, "wall_s": 5.0,
            "versions": {"numpy": "2", "dask": ""}, "curve": [[1.0, density]]}


def test_summary_averages_complete_valid_runs_and_divides_by_sparrow():
    rows = [_row("leathernest", 0, 0.80), _row("leathernest", 1, 0.84),
            _row("leathernest", 2, 0.99, placed=9),  # incomplete: not averaged
            _row("leathernest", 3, 0.99, valid=False),  # invalid: not averaged
            _row("sparrow", 0, 0.85), _row("sparrow", 1, 0.87)]
    by_engine = {s["engine"]: s for s in summarise(rows)}
    ln = by_engine["leathernest"]
    assert (ln["runs"], ln["valid"], ln["complete"]) == (4, 3, 2)
    assert ln["density"] == pytest.approx(0.82)
    assert ln["vs_peer"] == pytest.approx(0.82 / 0.86)
    assert by_engine["sparrow"]["vs_peer"] == pytest.approx(1.0)
    table = markdown_table(summarise(rows))
    assert "| i | 5 | leathernest | 4 (3, 2) | 9.7/10 | 0.8200 (0.8000–0.8400) |" in table


def test_csv_has_one_row_per_run_with_flat_versions():
    text = to_csv([_row("leathernest", 0, 0.8), _row("sparrow", 0, 0.9)])
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["engine"] for r in rows] == ["leathernest", "sparrow"]
    assert rows[0]["versions"] == "numpy=2"
    assert "curve" not in rows[0]


# --- end to end: Dask and CLI --------------------------------------------------------------------


def test_runner_on_a_local_dask_cluster_of_two_workers(tmp_path):
    result = run_benchmark(["jakobs1"], [0], [1.0], ["leathernest", "baseline"],
                           out_dir=tmp_path, n_workers=2)
    assert result.meta["execution"]["mode"] == "local-dask"
    assert result.meta["execution"]["n_workers"] == 2
    assert sorted(r["engine"] for r in result.rows) == ["baseline", "leathernest"]
    assert result.all_valid
    for r in result.rows:
        assert r["placed"] <= r["demand"] == 25
        assert 0.0 < r["density"] <= 1.0
        assert r["curve"][-1][1] == pytest.approx(r["density"])
    with open(result.paths["csv"]) as fh:
        assert len(list(csv.DictReader(fh))) == 2
    doc = json.loads(result.paths["json"].read_text())
    assert len(doc["runs"]) == 2
    assert doc["runs"][0]["cpu_count"] >= 1
    assert doc["runs"][0]["versions"]["leathernest"]
    assert "<svg" in result.paths["html"].read_text()
    assert "| jakobs1 | 1 | leathernest |" in result.paths["summary"].read_text()


def test_cli_serial_json_skips_a_missing_peer(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [
        "bench", "--instances", "tiny", "--seeds", "3", "--time", "0.5", "--engines",
        "baseline,sparrow", "--no-dask", "--out", str(out),
        "--spyrrow-python", str(tmp_path / "none"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["all_valid"] is True
    assert doc["execution"]["mode"] == "serial"
    assert [s["engine"] for s in doc["summary"]] == ["baseline"]
    assert doc["skipped"][0]["engine"] == "sparrow"
    assert (out / "runs.csv").exists()


def test_cli_rejects_an_unknown_engine(tmp_path):
    res = CliRunner().invoke(main, ["bench", "--instances", "tiny", "--engines", "magic",
                                    "--no-dask", "--out", str(tmp_path)])
    assert res.exit_code == 2


def test_sparrow_run_is_checked_independently_when_installed(tmp_path):
    peer = find_peer("sparrow")
    if not peer.installed:
        pytest.skip(f"sparrow not installed: {peer.missing}")
    spec = RunSpec("jakobs1", "strip", "sparrow", 0, 1.0)
    row = run_one(spec, {"sparrow": peer}, str(tmp_path), "x")
    assert row["valid"], row["error"]
    assert row["placed"] == row["demand"] == 25
    # our recomputation from the polygons agrees with spyrrow's own density
    assert row["density"] == pytest.approx(row["peer_reported"]["density"], abs=1e-5)


def test_rotations_set_is_enforced_for_peer_layouts():
    job = Job("s", (square_piece("A", rotations=Rotations(angles_deg=(0.0,))),), Strip(20.0))
    layout = {"strip_length": 20.0, "bins": [{"placements": [
        {"item_id": "A", "polygon": moved(rect(10, 10), 90.0, 10, 0)}]}]}
    assert any(v.startswith("rotation") for v in check_peer_layout(job, layout).violations)


def test_runner_on_an_existing_scheduler_says_when_workers_have_no_thread_resource(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        result = run_benchmark(["jakobs1"], [0], [0.5], ["baseline"], out_dir=tmp_path,
                               scheduler=cluster.scheduler_address)
    ex = result.meta["execution"]
    assert ex["mode"] == "dask"
    assert ex["scheduler"] == cluster.scheduler_address
    assert any("threads" in note for note in ex["notes"])
    assert [r["engine"] for r in result.rows] == ["baseline"]
    assert result.rows[0]["valid"]
