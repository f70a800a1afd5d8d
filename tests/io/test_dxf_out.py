"""Cutter DXF export: audit, true arcs through mirror and rotation, layers, order, round trip."""

from __future__ import annotations

import math

import ezdxf
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from leathernest.geometry.shapes import placed_polygon
from leathernest.io.dxf_curves import flatten_path, place_path
from leathernest.io.dxf_in import read_pattern_dxf
from leathernest.io.dxf_out import (
    AAMA_PROFILE,
    DEFAULT_PROFILE,
    CutterProfile,
    load_cutter_profile,
    write_cutter_dxf,
)
from leathernest.model import Hide, HideLayout, Job, Outline, Placement, Solution, Strip, Zone

ROUND_TRIP_MAP = {
    "CUT_OUTER": "cut", "CUT_INNER": "cutout", "PUNCH": "punch", "NOTCH": "notch", "PEN": "mark",
    "CREASE": "crease", "GRAIN": "grain", "LABEL": "ignore", "REF_*": "ignore",
}  # fmt: skip


def pattern_pieces(tmp_path):
    """A rounded panel with a round cut-out, a punch, a mark and a grain line; and a triangle."""
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    b = math.tan(math.radians(90) / 4)
    msp.add_lwpolyline(
        [(10, 0, 0), (90, 0, b), (100, 10, 0), (100, 50, b), (90, 60, 0), (10, 60, b), (0, 50, 0),
         (0, 10, b)],
        format="xyb", close=True, dxfattribs={"layer": "OUT"},
    )  # fmt: skip
    msp.add_circle((70, 30), 8, dxfattribs={"layer": "OUT"})
    msp.add_circle((20, 45), 1.5, dxfattribs={"layer": "DRILL"})
    msp.add_line((15, 20), (50, 20), dxfattribs={"layer": "STITCH"})
    msp.add_line((30, 10), (30, 50), dxfattribs={"layer": "GRAIN"})
    msp.add_text("Piece Name: panel", dxfattribs={"insert": (40, 40), "layer": "OUT"})
    msp.add_lwpolyline([(200, 0), (260, 0), (200, 40)], close=True, dxfattribs={"layer": "OUT"})
    path = tmp_path / "pattern.dxf"
    doc.saveas(path)
    lm = {"OUT": "cut", "DRILL": "punch", "STITCH": "mark", "GRAIN": "grain"}
    return read_pattern_dxf(path, layer_map=lm).pieces


def make_job_and_solution(tmp_path):
    pieces = pattern_pieces(tmp_path)
    hide = Hide(
        "h1",
        Outline.of([(0, 0), (1200, 0), (1200, 900), (0, 900)]),
        zones=(Zone(Outline.of([(600, 600), (650, 600), (650, 650)]), 0),),
    )
    job = Job("bag", pieces, (hide,))
    panel = next(p for p in pieces if p.name == "panel")
    tri = next(p for p in pieces if p is not panel)
    placements = (
        Placement(panel.id, 0, "h1", 0.0, False, 800.0, 700.0),
        Placement(tri.id, 0, "h1", 30.0, True, 500.0, 100.0),
        Placement(panel.id, 1, "h1", 90.0, True, 300.0, 300.0),
        Placement(tri.id, 1, "h1", 0.0, False, -150.0, 20.0),
    )
    sol = Solution("bag", "hides", (HideLayout("h1", placements),))
    return job, sol


def test_export_passes_audit_and_keeps_units_layers_and_arcs(tmp_path):
    job, sol = make_job_and_solution(tmp_path)
    files = write_cutter_dxf(job, sol, tmp_path / "out", route_solution_limit=200)
    assert len(files) == 1
    doc = ezdxf.readfile(files[0].path)
    assert doc.header["$INSUNITS"] == 4
    assert doc.dxfversion == "AC1015"
    auditor = doc.audit()
    assert not auditor.has_errors
    msp = doc.modelspace()
    layers = {e.dxf.layer for e in msp}
    assert {
        "CUT_OUTER",
        "CUT_INNER",
        "PUNCH",
        "PEN",
        "GRAIN",
        "LABEL",
        "REF_HIDE",
        "REF_DEFECT",
    } <= layers
    outers = msp.query('LWPOLYLINE[layer=="CUT_OUTER"]')
    assert len(outers) == 4
    assert all(e.closed for e in outers)
    arcs = [e for e in outers if any(b for *_, b in e.get_points("xyb"))]
    assert len(arcs) == 2  # the two panels kept their four corner arcs
    assert len(msp.query('CIRCLE[layer=="CUT_INNER"]')) == 2
    assert len(msp.query('CIRCLE[layer=="PUNCH"]')) == 2
    labels = [e.dxf.text for e in msp.query("TEXT")]
    assert sorted(labels)[:2] == ["panel #1", "panel #2"]


def test_placed_arcs_are_exact_including_mirror(tmp_path):
    job, sol = make_job_and_solution(tmp_path)
    files = write_cutter_dxf(job, sol, tmp_path / "out", route_solution_limit=200)
    msp = ezdxf.readfile(files[0].path).modelspace()
    panel = next(p for p in job.pieces if p.name == "panel")
    pl = sol.layouts[0].placements[2]  # mirrored and rotated
    want = place_path(panel.cut_paths[0], pl.rotation_deg, pl.mirrored, pl.x, pl.y)
    want_poly = Polygon(flatten_path(want.__class__(want.points, want.bulges, True), 0.01,
                                     on_curve=True))  # fmt: skip
    got = None
    for e in msp.query('LWPOLYLINE[layer=="CUT_OUTER"]'):
        pts = np.array([(x, y) for x, y, _ in e.get_points("xyb")])
        if np.min(np.hypot(*(pts - want.points[0]).T)) < 1e-9 and len(pts) == len(want.points):
            got = e
    assert got is not None
    from leathernest.model import CurvePath

    raw = np.array(list(got.get_points("xyb")))
    path = CurvePath(raw[:, :2].copy(), raw[:, 2].copy(), True)
    got_poly = Polygon(flatten_path(path, 0.01, on_curve=True))
    assert got_poly.symmetric_difference(want_poly).area < 1e-6 * want_poly.area
    # A true arc's midpoint lies on the placed circle: checks the bulge sign after mirroring.
    assert got_poly.is_valid
    assert abs(got_poly.area - want_poly.area) < 1e-6


def test_round_trip_reads_back_the_placed_geometry(tmp_path):
    job, sol = make_job_and_solution(tmp_path)
    files = write_cutter_dxf(job, sol, tmp_path / "out", route_solution_limit=200)
    back = read_pattern_dxf(files[0].path, layer_map=ROUND_TRIP_MAP).pieces
    assert len(back) == 4
    for pl in sol.layouts[0].placements:
        want = placed_polygon(job.piece(pl.piece_id), pl)
        match = min(back, key=lambda p: Polygon(p.outline.outer).distance(want.centroid))
        got = Polygon(match.outline.outer, match.outline.holes)
        assert got.symmetric_difference(want).area < 0.002 * want.area
    panels = [p for p in back if p.outline.holes]
    assert len(panels) == 2
    assert all(any(f.kind.value == "punch" for f in p.features) for p in panels)


def test_inner_features_are_cut_before_the_outer_contour_and_pen_before_knife(tmp_path):
    job, sol = make_job_and_solution(tmp_path)
    files = write_cutter_dxf(job, sol, tmp_path / "out", route_solution_limit=200)
    msp = ezdxf.readfile(files[0].path).modelspace()
    seq = [e.dxf.layer for e in msp if not e.dxf.layer.startswith("REF_")]
    first_knife = min(
        i for i, layer in enumerate(seq) if layer.startswith("CUT") or layer == "PUNCH"
    )
    assert all(layer in ("PEN", "GRAIN", "LABEL") for layer in seq[:first_knife])
    tools = seq[first_knife:]
    # After each outer contour, the next piece's inner cuts come before its outer contour.
    outer_idx = [i for i, layer in enumerate(tools) if layer == "CUT_OUTER"]
    assert len(outer_idx) == 4
    assert outer_idx[-1] == len(tools) - 1
    panels_inner = [i for i, layer in enumerate(tools) if layer == "CUT_INNER"]
    for i in panels_inner:
        assert any(o > i for o in outer_idx)
    f = files[0]
    assert f.travel_mm <= f.unoptimised_travel_mm
    assert sorted(f.order) == sorted((p.piece_id, p.copy) for p in sol.layouts[0].placements)


def test_r12_export_with_aama_profile(tmp_path):
    job, sol = make_job_and_solution(tmp_path)
    files = write_cutter_dxf(job, sol, tmp_path / "r12", profile=AAMA_PROFILE, dxfversion="R12",
                             route_solution_limit=100)  # fmt: skip
    doc = ezdxf.readfile(files[0].path)
    assert doc.dxfversion == "AC1009"
    assert not doc.audit().has_errors
    msp = doc.modelspace()
    outers = msp.query('POLYLINE[layer=="1"]')
    assert len(outers) == 4
    assert all(e.is_closed for e in outers)
    assert any(v.dxf.bulge for e in outers for v in e.vertices)
    assert len(msp.query('CIRCLE[layer=="11"]')) == 2


def test_strip_export_and_profile_file(tmp_path):
    pieces = pattern_pieces(tmp_path)
    job = Job("strip job", pieces, Strip(200.0))
    pls = tuple(Placement(p.id, 0, None, 0.0, False, 300.0 * i, 10.0) for i, p in enumerate(pieces))
    sol = Solution("strip job", "strip", (HideLayout(None, pls),), strip_length=700.0)
    prof = tmp_path / "knife.json"
    prof.write_text('{"name": "k", "layers": {"outer_cut": {"name": "KNIFE", "color": 2}}}')
    profile = load_cutter_profile(prof)
    assert profile.layers["outer_cut"] == ("KNIFE", 2)
    assert profile.layers["inner_cut"] == DEFAULT_PROFILE.layers["inner_cut"]
    files = write_cutter_dxf(job, sol, tmp_path / "s", profile=profile, route_solution_limit=50)
    assert files[0].path.name == "strip_job_strip.dxf"
    msp = ezdxf.readfile(files[0].path).modelspace()
    assert len(msp.query('LWPOLYLINE[layer=="KNIFE"]')) == 2
    with pytest.raises(ValueError, match="unknown role"):
        CutterProfile.of("x", {"saw": "S"})


def test_failed_export_leaves_no_partial_file(tmp_path, monkeypatch):
    job, sol = make_job_and_solution(tmp_path)
    out = tmp_path / "atomic"

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("leathernest.io.atomic.os.replace", boom)
    with pytest.raises(RuntimeError):
        write_cutter_dxf(job, sol, out, route_solution_limit=50)
    assert list(out.iterdir()) == []


def test_export_renders_to_png(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (extra 'render') is not installed")
    import matplotlib

    matplotlib.use("Agg")
    from ezdxf.addons.drawing import matplotlib as draw

    job, sol = make_job_and_solution(tmp_path)
    files = write_cutter_dxf(job, sol, tmp_path / "out", route_solution_limit=50)
    png = tmp_path / "hide.png"
    draw.qsave(ezdxf.readfile(files[0].path).modelspace(), str(png), dpi=60)
    assert png.stat().st_size > 1000
    assert shapely is not None
