"""Remnants: the leather a layout leaves, measured once, and as stock for the next order.

The figures on hand-made layouts whose answers follow from the definitions
(:mod:`leathernest.report.remnants`): the free leather is exact; a remnant part loses, beside what
the footprint and the 50 mm opening take, r²(1 - π/4) = 134 mm² at each right-angled convex
corner (r = 25 mm), which the 8-chord arcs make at most 4 mm² more.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
import shapely
from click.testing import CliRunner
from helpers import budget, hide_job, rect, sol, square_piece
from shapely.geometry import Polygon

from leathernest.cli.main import main
from leathernest.errors import InputError, JobFileError
from leathernest.io.dxf_in import read_hide_dxf
from leathernest.io.instance import load_job
from leathernest.io.remnant_files import write_remnants
from leathernest.io.solution_json import solution_from_data, solution_to_json
from leathernest.model import Hide, Job, Outline, Piece, Placement, Strip, Zone
from leathernest.nest import nest
from leathernest.report.metrics import with_metrics
from leathernest.report.remnants import layout_leftovers, remnants
from leathernest.validate import placed_shape, validate

# A work budget (collision evaluations), not the clock: what is asserted holds for any layout.
EFFORT = 150_000
CORNER = 25.0**2 * (1 - math.pi / 4)  # leather a 50 mm disc cannot reach in a right angle, mm²
CHORDS = 4.0  # what the 8-chord arcs take beyond that per corner, at most, mm²


@pytest.fixture(scope="module")
def first_order():
    """The demo job (the `make demo` order), nested on a work budget."""
    job = load_job("demo_wallets")
    solution = nest(job, stop=budget(EFFORT))
    assert solution.placements
    return job, solution


def box_piece(pid: str, w: float, h: float, demand: int = 1, holes=()) -> Piece:
    return Piece(pid, Outline.of(rect(w, h), [rect(*hole) for hole in holes]), demand=demand)


def box_hide(w: float, h: float, zones=()) -> Hide:
    return Hide("h", Outline.of(rect(w, h)), zones=tuple(zones))


def figures(job: Job, placements: list[Placement]) -> dict:
    """The solution's per-hide row of a valid one-hide layout."""
    solution = with_metrics(job, sol(job, placements))
    assert validate(job, solution) == []
    (row,) = solution.metrics["per_hide"]
    return row


def test_one_piece_in_a_corner_leaves_one_part_the_hide_less_its_grown_square():
    job = hide_job([box_piece("a", 100, 100)], [box_hide(1000, 1000)], gap_mm=2, margin_mm=3)
    placements = [Placement("a", 0, "h", 0.0, False, 3.0, 3.0)]
    row = figures(job, placements)
    # free: the hide less the piece grown by the 2 mm gap, [1, 105] x [1, 105]
    assert row["free_mm2"] == pytest.approx(1000 * 1000 - 104 * 104, rel=1e-12)
    # the remnant: no 50 mm disc enters the 1 mm strips between the grown piece and the edges;
    # the L-shaped rest has five right-angled convex corners
    assert row["remnant_mm2"] == pytest.approx(1000 * 1000 - 105 * 105 - 5 * CORNER,
                                               abs=5 * CHORDS)
    assert row["compactness"] == pytest.approx(row["remnant_mm2"] / row["free_mm2"])
    assert 0.999 < row["compactness"] < 1.0
    (r,) = remnants(job, sol(job, placements))
    assert [h.id for h in r.hides] == ["h_0"]
    assert r.parts_mm2 == (row["remnant_mm2"],)


def across_a_strip() -> tuple[Job, list[Placement]]:
    """Two pieces, one above the other, across a 1000 x 200 strip of leather at x 300-400."""
    job = hide_job([box_piece("a", 100, 95, demand=2)], [box_hide(1000, 200)], gap_mm=2,
                   margin_mm=3)
    return job, [Placement("a", 0, "h", 0.0, False, 300.0, 3.0),
                 Placement("a", 1, "h", 0.0, False, 300.0, 100.0)]


def test_two_pieces_across_a_strip_of_leather_split_its_remnant_in_two():
    job, placements = across_a_strip()
    row = figures(job, placements)
    # the grown pieces cover [298, 402] x [1, 197]: the 1 and 3 mm strips beside them still join
    # the two sides as leather, but no 50 mm disc passes there
    free = 1000 * 200 - 104 * 196
    right, left = 598 * 200 - 4 * CORNER, 298 * 200 - 4 * CORNER
    assert row["free_mm2"] == pytest.approx(free, rel=1e-12)
    assert row["remnant_mm2"] == pytest.approx(right, abs=4 * CHORDS)
    assert row["compactness"] == pytest.approx(right / free, abs=1e-4)
    assert row["compactness"] < 0.67
    (r,) = remnants(job, sol(job, placements))
    assert [h.id for h in r.hides] == ["h_0", "h_0.2"]  # the larger first, though it lies right
    assert r.parts_mm2 == pytest.approx([right, left], abs=4 * CHORDS)
    assert r.hides[0].outline.bbox[0] == pytest.approx(402.0)


def test_the_leather_inside_a_window_is_neither_free_nor_remnant():
    frame = box_piece("frame", 200, 200, holes=[(120, 120, 40, 40)])
    job = hide_job([frame], [box_hide(1000, 1000)], gap_mm=2, margin_mm=3)
    placements = [Placement("frame", 0, "h", 0.0, False, 400.0, 400.0)]
    row = figures(job, placements)
    assert row["free_mm2"] == pytest.approx(1000 * 1000 - 204 * 204, rel=1e-12)
    assert row["remnant_mm2"] == pytest.approx(1000 * 1000 - 204 * 204 - 4 * CORNER,
                                               abs=4 * CHORDS)
    ((_, _, left),) = layout_leftovers(job, sol(job, placements))
    window = Polygon(rect(120, 120, 440, 440))
    assert left.free.intersection(window).area == 0.0
    assert left.remnant.intersection(window).area == 0.0
    assert len(left.remnant.interiors) == 1  # where the frame was cut, window and all


def test_leather_enclosed_between_pieces_is_the_layouts_a_wide_bay_is_kept():
    job = hide_job([box_piece("a", 100, 100, demand=2)], [box_hide(1000, 600)], gap_mm=2,
                   margin_mm=3)
    # between the grown pieces, 96 mm apart: the footprint's edges there are arcs of 75 mm
    # radius from corner to corner, reaching 17.4 mm into the gap from above and below
    core = Polygon(rect(86, 55, 110, 25))
    near = [Placement("a", 0, "h", 0.0, False, 3.0, 3.0),
            Placement("a", 1, "h", 0.0, False, 203.0, 3.0)]
    assert validate(job, sol(job, near)) == []
    ((_, _, left),) = layout_leftovers(job, sol(job, near))
    assert left.free.contains(core)  # uncut leather ...
    assert left.footprint.contains(core)  # ... that the layout encloses: first waste
    assert all(p.intersection(core).area == 0.0 for p in left.parts)
    far = [near[0], Placement("a", 1, "h", 0.0, False, 403.0, 3.0)]  # a 296 mm bay between
    ((_, _, left),) = layout_leftovers(job, sol(job, far))
    assert left.remnant.contains(Polygon(rect(240, 60, 135, 30)))
    assert len(left.parts) == 1


def test_a_defect_stays_on_its_remnant_as_a_zone_and_is_not_counted(tmp_path):
    defect = Zone(Outline.of(rect(20, 20, 300, 200)), 0)
    hide = Hide("calf", Outline.of(rect(400, 300)), zones=(defect,), price_per_m2=40.0)
    job = hide_job([square_piece("sq", 100.0, demand=2)], [hide], gap_mm=2.0, margin_mm=3.0)
    placements = [Placement("sq", 0, "calf", 0.0, False, 10.0, 10.0),
                  Placement("sq", 1, "calf", 0.0, False, 150.0, 100.0)]
    row = figures(job, placements)
    (r,) = remnants(job, sol(job, placements))
    (left,) = r.hides
    assert left.id == "calf_0"
    assert left.price_per_m2 == 40.0
    assert [z.grade for z in left.zones] == [0]
    region = Polygon(left.outline.outer, left.outline.holes)
    assert region.contains(Polygon(rect(20, 20, 300, 200)))  # one piece of leather, defect on it
    assert r.parts_mm2 == (row["remnant_mm2"],)
    assert row["remnant_mm2"] == pytest.approx(region.area - 20 * 20)
    assert row["free_mm2"] == pytest.approx(400 * 300 - 20 * 20 - 2 * 104 * 104)
    for pl in placements:  # the cut pieces and their gap are gone, in the hide's frame
        assert region.distance(placed_shape(job.piece("sq"), pl)) >= 2.0 - 1e-9
    write_remnants(tmp_path, job, [r])
    back = read_hide_dxf(tmp_path / "calf_0.dxf").hide
    assert back.id == "calf_0"
    assert back.area == pytest.approx(left.area, rel=1e-6)
    assert len(back.zones) == 1


def test_remnant_files_hold_the_largest_part_first_then_the_others_by_area(tmp_path):
    # two walls cut a 1000 x 100 hide into parts 148, 446 and 198 mm long, left to right
    job = hide_job([box_piece("wall", 100, 100, demand=2)], [box_hide(1000, 100)], gap_mm=2.0)
    placements = [Placement("wall", 0, "h", 0.0, False, 150.0, 0.0),
                  Placement("wall", 1, "h", 0.0, False, 700.0, 0.0)]
    assert validate(job, sol(job, placements)) == []
    (r,) = remnants(job, sol(job, placements))
    assert [h.id for h in r.hides] == ["h_0", "h_0.2", "h_0.3"]
    assert [round(h.outline.bbox[0]) for h in r.hides] == [252, 802, 0]
    assert r.parts_mm2 == pytest.approx([446 * 100 - 4 * CORNER, 198 * 100 - 4 * CORNER,
                                         148 * 100 - 4 * CORNER], abs=4 * CHORDS)
    assert r.parts_mm2[0] == figures(job, placements)["remnant_mm2"]
    paths = write_remnants(tmp_path, job, [r])
    assert [p.name for p in paths] == ["h_0.json", "h_0.dxf", "h_0.2.dxf", "h_0.3.dxf"]
    assert [h.id for h in load_job(tmp_path / "h_0.json").hides] == ["h_0", "h_0.2", "h_0.3"]
    assert read_hide_dxf(tmp_path / "h_0.dxf").hide.area == pytest.approx(r.hides[0].area)
    (few,) = remnants(job, sol(job, placements), min_area_mm2=20_000.0)
    assert [h.id for h in few.hides] == ["h_0"]
    assert few.dropped_parts == 2


def test_small_parts_are_left_out_and_strips_have_no_remnants():
    hide = Hide("h", Outline.of(rect(300, 100)))
    wall = dataclasses.replace(square_piece("wall"), outline=Outline.of(rect(10, 100)))
    job = hide_job([wall], [hide], gap_mm=0.0)
    split = sol(job, [Placement("wall", 0, "h", 0.0, False, 100.0, 0.0)])
    assert validate(job, split) == []
    (r,) = remnants(job, split, min_area_mm2=15_000.0)
    # 190 x 100 less its four corners; the 100 x 100 part dropped
    assert r.parts_mm2 == pytest.approx([19_000 - 4 * CORNER], abs=4 * CHORDS)
    assert r.dropped_parts == 1
    assert r.dropped_mm2 == pytest.approx(10_000 - 4 * CORNER, abs=4 * CHORDS)
    (both,) = remnants(job, split, min_area_mm2=0.0)
    assert [h.id for h in both.hides] == ["h_0", "h_0.2"]
    strip = dataclasses.replace(job, stock=Strip(100.0))
    with pytest.raises(InputError, match="strip job"):
        remnants(strip, sol(strip, [Placement("wall", 0, None, 0.0, False, 0.0, 0.0)]))


def test_the_figures_are_in_the_solution_file_and_its_schema_checks_them():
    job, placements = across_a_strip()
    data = solution_to_json(job, with_metrics(job, sol(job, placements)))
    row = data["metrics"]["per_hide"][0]
    assert {"free_mm2", "remnant_mm2", "compactness"} <= set(row)
    read = solution_from_data(json.loads(json.dumps(data)), "s.json", job)
    assert read.solution.metrics["per_hide"][0]["compactness"] == row["compactness"]
    for key, bad in (("compactness", 1.5), ("remnant_mm2", -1.0), ("free_mm2", "lots")):
        broken = json.loads(json.dumps(data))
        broken["metrics"]["per_hide"][0][key] = bad
        with pytest.raises(JobFileError, match="per_hide"):
            solution_from_data(broken, "s.json", job)
    older = json.loads(json.dumps(data))  # files written before these figures still read
    for key in ("free_mm2", "remnant_mm2", "compactness"):
        del older["metrics"]["per_hide"][0][key]
    solution_from_data(older, "s.json", job)


def test_remnant_nests_a_second_order_that_does_not_touch_the_first(first_order, tmp_path):
    job, first = first_order
    paths = write_remnants(tmp_path, job, remnants(job, first))
    files = [p for p in paths if p.suffix == ".json"]
    assert files
    shelf = tuple(h for f in files for h in load_job(f).hides)
    wallets = tuple(dataclasses.replace(p, demand=1) for p in job.pieces
                    if p.id.startswith("card_holder"))
    second = Job("order2", wallets, shelf, gap_mm=job.gap_mm, margin_mm=job.margin_mm)
    solution = nest(second, stop=budget(EFFORT))  # validated inside nest()
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


def test_remnants_command_writes_job_files_that_nest_reads_back(tmp_path):
    job = {"format": "leathernest-job", "version": 1, "name": "one", "gap_mm": 2, "margin_mm": 2,
           "pieces": [{"id": "a", "outline": rect(60, 40), "demand": 2}],
           "hides": [{"id": "calf", "outline": rect(300, 200), "price_per_m2": 30}]}
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job))
    runner = CliRunner()
    run1 = runner.invoke(main, ["nest", str(path), "--effort", "10", "--out", str(tmp_path / "r1"),
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
                                "--effort", "10", "--out", str(tmp_path / "r2"), "--json", "-q"])
    assert run2.exit_code == 0, run2.output
    placed = json.loads((tmp_path / "r2" / "solution.json").read_text())["placements"]
    assert {p["bin_id"] for p in placed} == {"calf_0"}
    bad = runner.invoke(main, ["remnants", str(tmp_path / "r1" / "job.json"),
                               str(tmp_path / "r2" / "solution.json"), "--out",
                               str(tmp_path / "x")])
    assert bad.exit_code == 2  # a layout of another job (other hides): refused, one line
    assert "error" in bad.output
