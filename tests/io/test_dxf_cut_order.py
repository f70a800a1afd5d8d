"""Cutter DXF: part-in-part order, travel as written, extents, zone layers, routing bounds."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace as dataclass_replace

import ezdxf
import numpy as np
import pytest
from helpers import rect
from shapely.geometry import Polygon

from leathernest.io.dxf_out import write_cutter_dxf
from leathernest.io.dxf_travel import dxf_travel_mm
from leathernest.model import (
    Hide,
    HideLayout,
    Job,
    Outline,
    Piece,
    Placement,
    Rotations,
    Solution,
    Zone,
)
from leathernest.validate import validate


def frame_job():
    """Two frames with two windows each; small squares in every window; a small frame with a
    window holding one more square inside the first window (two levels of nesting)."""
    windows = [rect(120, 160, 20, 20)[::-1], rect(120, 160, 160, 20)[::-1]]
    frame = Outline.of(rect(300, 200), windows)
    small_frame = Outline.of(rect(80, 60), [rect(40, 30, 20, 15)[::-1]])
    fixed = Rotations(angles_deg=(0.0,))
    pieces = (
        Piece("frame", frame, demand=2, rotations=fixed),
        Piece("square", Outline.of(rect(30, 30)), demand=9, rotations=fixed),
        Piece("small_frame", small_frame, demand=1, rotations=fixed),
        Piece("tiny", Outline.of(rect(20, 10)), demand=1, rotations=fixed),
    )
    hide = Hide("h", Outline.of(rect(1000, 600)),
                zones=(Zone(Outline.of(rect(50, 50, 940, 540)), 0),
                       Zone(Outline.of(rect(200, 100, 700, 20)), 2),
                       Zone(Outline.of(rect(100, 100, 20, 450)), 3)))
    job = Job("frames", pieces, (hide,), gap_mm=2.0)
    pl = []
    for f, (fx, fy) in enumerate([(600, 300), (40, 40)]):
        pl.append(Placement("frame", f, "h", 0.0, False, fx, fy))
    # first frame's left window (620..740, 320..480): the small frame and a square
    pl.append(Placement("small_frame", 0, "h", 0.0, False, 630, 330))
    pl.append(Placement("tiny", 0, "h", 0.0, False, 660, 355))  # inside the small frame's window
    sq = [(630, 430), (700, 430), (780, 330), (780, 400), (830, 330), (80, 80), (80, 150),
          (220, 80), (220, 150)]
    pl += [Placement("square", k, "h", 0.0, False, x, y) for k, (x, y) in enumerate(sq)]
    solution = Solution("frames", "hides", (HideLayout("h", tuple(pl)),))
    assert validate(job, solution) == []
    return job, solution


def cut_sequence(path):
    """(index, layer, polygon) of every closed cut contour in entity order."""
    out = []
    for n, e in enumerate(ezdxf.readfile(path).modelspace()):
        if e.dxf.layer not in ("CUT_OUTER", "CUT_INNER") or e.dxftype() != "LWPOLYLINE":
            continue
        out.append((n, e.dxf.layer, Polygon([(x, y) for x, y, *_ in e.get_points("xy")])))
    return out


def test_everything_inside_a_window_is_cut_before_the_window_and_the_frame(tmp_path):
    job, solution = frame_job()
    cut = write_cutter_dxf(job, solution, tmp_path, route_solution_limit=100)[0]
    seq = cut_sequence(cut.path)
    assert len([s for s in seq if s[1] == "CUT_OUTER"]) == 13
    checked = 0
    for i, _layer, outer in seq:
        for j, _l2, inner in seq:
            if i != j and outer.contains(inner):
                assert j < i, "a contour inside another must be cut before it"
                checked += 1
    # Frame 0 holds its 2 windows, 5 squares, the small frame, its window and tiny (10); its
    # windows hold 5 and 3; the small frame 2, its window 1; frame 1 holds 6, its windows 2 + 2.
    assert checked == 31
    # The order the file reports is the order of the outer contours in the file.
    outers = [poly for _, layer, poly in seq if layer == "CUT_OUTER"]
    placed = {(pl.piece_id, pl.copy): pl for pl in solution.placements}
    for (pid, copy), poly in zip(cut.order, outers, strict=True):
        pl = placed[(pid, copy)]
        assert poly.bounds[:2] == pytest.approx((pl.x, pl.y))


def test_reported_travel_is_the_travel_of_the_file_as_written(tmp_path):
    job, solution = frame_job()
    for limit in (None, 50):
        cut = write_cutter_dxf(job, solution, tmp_path / str(limit), route_solution_limit=limit,
                               route_time_limit_s=0.0 if limit is None else 5.0)[0]
        measured = dxf_travel_mm(cut.path, (0.0, 0.0))
        assert cut.travel_mm == pytest.approx(measured, rel=1e-9)
        assert cut.travel_mm <= cut.unoptimised_travel_mm


def test_extents_are_the_drawing_and_zones_have_a_layer_per_grade(tmp_path):
    job, solution = frame_job()
    for version in ("R2000", "R12"):
        cut = write_cutter_dxf(job, solution, tmp_path / version, dxfversion=version,
                               route_time_limit_s=0.0)[0]
        doc = ezdxf.readfile(cut.path)
        lo, hi = doc.header["$EXTMIN"], doc.header["$EXTMAX"]
        assert (lo[0], lo[1]) == pytest.approx((0.0, 0.0))
        assert (hi[0], hi[1]) == pytest.approx((1000.0, 600.0))
        layers = [e.dxf.layer for e in doc.modelspace()]
        assert layers.count("REF_DEFECT") == 1
        assert (layers.count("REF_GRADE2"), layers.count("REF_GRADE3")) == (1, 1)
        assert doc.layers.get("REF_GRADE2").color != doc.layers.get("REF_DEFECT").color


def test_routing_stops_at_once_when_asked_and_reports_progress(tmp_path, monkeypatch):
    import leathernest.ordering.route as route

    def no_routing(*_args, **_kwargs):
        raise AssertionError("OR-Tools was called after the stop")

    monkeypatch.setattr(route, "_or_tools", no_routing)
    job, solution = frame_job()
    seen = []
    cut = write_cutter_dxf(job, solution, tmp_path, stop=lambda: True,
                           progress=lambda done, total: seen.append((done, total)))[0]
    assert cut.method.startswith(("nearest", "given"))
    assert seen == [(1, 1)]


def test_routed_order_is_found_by_or_tools_within_its_budget(tmp_path):
    job, solution = frame_job()
    cut = write_cutter_dxf(job, solution, tmp_path, route_solution_limit=20)[0]
    assert "or-tools" in cut.method or "nearest" in cut.method
    assert np.isfinite(cut.travel_mm)


@pytest.mark.skipif(shutil.which("librecad") is None,
                    reason="LibreCAD is not installed (apt-get install librecad)")
def test_librecad_opens_the_file_and_prints_the_drawing(tmp_path):
    job, solution = frame_job()
    out = tmp_path / "pdf"
    cut = write_cutter_dxf(job, solution, out, route_time_limit_s=0.0)[0]
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    # dxf2pdf writes <name>.pdf into the working folder.
    run = subprocess.run(["librecad", "dxf2pdf", "-a", cut.path.name], cwd=out,
                         capture_output=True, text=True, timeout=120, env=env)
    pdf = out / cut.path.with_suffix(".pdf").name
    assert run.returncode == 0, run.stderr[-2000:]
    assert pdf.exists(), run.stdout[-2000:]
    assert pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_routing_budgets_add_up_to_the_runs_limit(tmp_path, monkeypatch):
    """A clock that only moves when routing spends its budget: the budgets stay in the limit."""
    import types

    import leathernest.io.dxf_out as dxf_out

    job, solution = frame_job()
    many = Solution("frames", "hides", tuple(HideLayout("h", solution.layouts[0].placements, k)
                                             for k in range(8)))
    job = Job(job.name, job.pieces, (dataclass_replace(job.hides[0], stock=8),), gap_mm=2.0)
    clock = [100.0]
    given = []
    real = dxf_out.plan_cuts

    def spend_it_all(pieces, corner, *, time_limit_s, solution_limit):
        given.append(time_limit_s)
        clock[0] += time_limit_s
        return real(pieces, corner, time_limit_s=0.0, solution_limit=solution_limit)

    monkeypatch.setattr(dxf_out, "plan_cuts", spend_it_all)
    monkeypatch.setattr(dxf_out, "time", types.SimpleNamespace(monotonic=lambda: clock[0]))
    write_cutter_dxf(job, many, tmp_path, route_time_limit_s=0.75)
    assert len(given) == 8
    assert max(given) <= dxf_out.ROUTE_FILE_MAX_S
    assert sum(given) == pytest.approx(0.75)  # every file got its share, none beyond the limit
