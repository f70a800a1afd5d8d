"""Remnants: after an order, the uncut leather of each hide nests the next order like any hide."""

from __future__ import annotations

import dataclasses
import json

import pytest
import shapely
from click.testing import CliRunner
from helpers import hide_job, rect, sol, square_piece
from shapely.geometry import Polygon

from leathernest.cli.main import main
from leathernest.io.dxf_in import read_hide_dxf
from leathernest.io.instance import load_job
from leathernest.io.remnant_files import write_remnants
from leathernest.model import Hide, Job, Outline, Placement, Zone
from leathernest.nest import nest
from leathernest.report.remnants import remnants
from leathernest.search.stop import StopToken
from leathernest.validate import placed_shape, validate

# A work budget (collision evaluations) and a short clock: what is asserted holds for any layout.
EFFORT = 150_000


@pytest.fixture(scope="module")
def first_order():
    """The demo job (the `make demo` order), nested on a work budget."""
    job = load_job("demo_wallets")
    solution = nest(job, stop=StopToken(4.0, effort=EFFORT))
    assert solution.placements
    return job, solution


def test_remnant_nests_a_second_order_that_does_not_touch_the_first(first_order, tmp_path):
    job, first = first_order
    paths = write_remnants(tmp_path, job, remnants(job, first))
    files = [p for p in paths if p.suffix == ".json"]
    assert files
    shelf = tuple(h for f in files for h in load_job(f).hides)
    wallets = tuple(dataclasses.replace(p, demand=1) for p in job.pieces
                    if p.id.startswith("card_holder"))
    second = Job("order2", wallets, shelf, gap_mm=job.gap_mm, margin_mm=job.margin_mm)
    solution = nest(second, stop=StopToken(4.0, effort=EFFORT))  # validated inside nest()
    assert validate(second, solution) == []
    assert solution.placements
    cut_first = {}
    for lay in first.layouts:
        polys = [placed_shape(job.piece(p.piece_id), p) for p in lay.placements]
        cut_first[f"{lay.hide_id}_{lay.hide_copy}"] = shapely.union_all(polys)
    for pl in solution.placements:
        origin = pl.hide_id.split(".")[0]  # "<hide>_<copy>" or "<hide>_<copy>.<part>"
        placed = placed_shape(second.piece(pl.piece_id), pl)
        assert placed.distance(cut_first[origin]) >= job.gap_mm - 1e-6


def test_remnant_keeps_zones_coordinates_and_reads_back_from_its_dxf(tmp_path):
    hide = Hide("calf", Outline.of(rect(400, 300)), zones=(Zone(Outline.of(rect(20, 20, 300, 200)),
                                                                0),), price_per_m2=40.0)
    job = hide_job([square_piece("sq", 100.0, demand=2)], [hide], gap_mm=2.0, margin_mm=3.0)
    first = sol(job, [Placement("sq", 0, "calf", 0.0, False, 10.0, 10.0),
                      Placement("sq", 1, "calf", 0.0, False, 150.0, 100.0)])
    assert validate(job, first) == []
    (r,) = remnants(job, first)
    (left,) = r.hides
    assert left.id == "calf_0"
    assert left.price_per_m2 == 40.0
    assert [z.grade for z in left.zones] == [0]
    region = Polygon(left.outline.outer, left.outline.holes)
    assert region.area == pytest.approx(400 * 300 - 2 * 104 * 104, rel=1e-3)
    for pl in first.placements:  # the cut pieces and their gap are gone, in the hide's frame
        assert region.distance(placed_shape(job.piece("sq"), pl)) >= 2.0 - 1e-9
    write_remnants(tmp_path, job, [r])
    back = read_hide_dxf(tmp_path / "calf_0.dxf").hide
    assert back.id == "calf_0"
    assert back.area == pytest.approx(left.area, rel=1e-6)
    assert len(back.zones) == 1


def test_small_parts_are_left_out_and_strips_have_no_remnants():
    hide = Hide("h", Outline.of(rect(300, 100)))
    wall = dataclasses.replace(square_piece("wall"), outline=Outline.of(rect(10, 100)))
    job = hide_job([wall], [hide], gap_mm=0.0)
    split = sol(job, [Placement("wall", 0, "h", 0.0, False, 100.0, 0.0)])
    assert validate(job, split) == []
    (r,) = remnants(job, split, min_area_mm2=15_000.0)
    assert [round(h.area) for h in r.hides] == [19_000]  # 190 x 100; the 100 x 100 part dropped
    assert r.dropped_parts == 1
    (both,) = remnants(job, split, min_area_mm2=0.0)
    assert [h.id for h in both.hides] == ["h_0", "h_0.2"]


def test_remnants_command_writes_job_files_that_nest_reads_back(tmp_path):
    job = {"format": "leathernest-job", "version": 1, "name": "one", "gap_mm": 2, "margin_mm": 2,
           "pieces": [{"id": "a", "outline": rect(60, 40), "demand": 2}],
           "hides": [{"id": "calf", "outline": rect(300, 200), "price_per_m2": 30}]}
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job))
    runner = CliRunner()
    run1 = runner.invoke(main, ["nest", str(path), "--time", "2", "--out", str(tmp_path / "r1"),
                                "-q"])
    assert run1.exit_code == 0, run1.output
    r = runner.invoke(main, ["remnants", str(tmp_path / "r1" / "job.json"),
                             str(tmp_path / "r1" / "solution.json"), "--out",
                             str(tmp_path / "shelf"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["remnants"][0]["parts"] == 1
    assert 0 < out["remnants"][0]["area_mm2"] < 300 * 200 - 2 * 60 * 40
    run2 = runner.invoke(main, ["nest", str(path), "--hides", str(tmp_path / "shelf" /
                                                                    "calf_0.json"),
                                "--time", "2", "--out", str(tmp_path / "r2"), "--json", "-q"])
    assert run2.exit_code == 0, run2.output
    placed = json.loads((tmp_path / "r2" / "solution.json").read_text())["placements"]
    assert {p["bin_id"] for p in placed} == {"calf_0"}
    bad = runner.invoke(main, ["remnants", str(tmp_path / "r1" / "job.json"),
                               str(tmp_path / "r2" / "solution.json"), "--out",
                               str(tmp_path / "x")])
    assert bad.exit_code == 2  # a layout of another job (other hides): refused, one line
    assert "error" in bad.output
