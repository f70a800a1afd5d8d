"""Pattern and hide import from DXF: every entity kind, blocks, chaining, units, errors."""

from __future__ import annotations

import math

import ezdxf
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon

from leathernest.errors import DxfError, InputError
from leathernest.geometry.shapes import outline_polygon
from leathernest.io.dxf_in import CHORD_TOL_MM, read_hide_dxf, read_pattern_dxf
from leathernest.model import FeatureKind

TOL = CHORD_TOL_MM


def new_doc(units: int | None = 4, version: str = "R2000"):
    doc = ezdxf.new(version)
    if units is not None:
        doc.units = units
    return doc


def save(doc, tmp_path, name: str = "t.dxf"):
    path = tmp_path / name
    doc.saveas(path)
    return path


def true_disc(cx, cy, r):
    return Point(cx, cy).buffer(r, quad_segs=256)


def rounded_rect_points(w=100.0, h=60.0, r=10.0):
    """A rounded rectangle as LWPOLYLINE (x, y, bulge): four quarter arcs."""
    b = math.tan(math.radians(90) / 4)
    return [
        (r, 0, 0), (w - r, 0, b), (w, r, 0), (w, h - r, b), (w - r, h, 0), (r, h, b), (0, h - r, 0),
        (0, r, b),
    ]  # fmt: skip


def rounded_rect_true(w=100.0, h=60.0, r=10.0):
    return shapely.box(r, r, w - r, h - r).buffer(r, quad_segs=256)


def only(result):
    assert len(result.pieces) == 1, [p.id for p in result.pieces]
    return result.pieces[0]


# --- entity kinds -----------------------------------------------------------------------------


def test_lwpolyline_with_bulges_keeps_true_arcs_and_polygon_contains_the_true_outline(tmp_path):
    doc = new_doc()
    doc.modelspace().add_lwpolyline(rounded_rect_points(), format="xyb", close=True)
    piece = only(read_pattern_dxf(save(doc, tmp_path)))
    poly = outline_polygon(piece.outline)
    true = rounded_rect_true()
    assert poly.buffer(1e-9).contains(true)
    assert poly.area - true.area < 100 * TOL * 2  # grows by at most the tolerance along the edge
    assert len(piece.cut_paths) == 1
    assert np.count_nonzero(piece.cut_paths[0].bulges) == 4


def test_circle_hole_shrinks_and_outline_grows(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_circle((0, 0), 50)
    msp.add_circle((0, 0), 10)
    piece = only(read_pattern_dxf(save(doc, tmp_path)))
    poly = outline_polygon(piece.outline)
    true = true_disc(0, 0, 50).difference(true_disc(0, 0, 10))
    assert len(piece.outline.holes) == 1
    assert poly.buffer(1e-9).contains(true)  # material only grows: holes shrink
    assert abs(poly.area - true.area) < 2 * math.pi * 60 * TOL
    assert len(piece.cut_paths) == 2


def test_polyline_2d_and_r12(tmp_path):
    doc = new_doc(None, "R12")
    doc.modelspace().add_polyline2d(rounded_rect_points(), format="xyb", close=True)
    piece = only(read_pattern_dxf(save(doc, tmp_path)))
    assert outline_polygon(piece.outline).buffer(1e-9).contains(rounded_rect_true())


def test_line_arc_soup_is_chained_into_a_closed_ring_in_any_direction(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    # A slot: two lines and two half circles, lines drawn in opposite directions, tiny gaps.
    msp.add_line((0, 0), (100, 0))
    msp.add_arc((100, 20), 20, -90, 90)
    msp.add_line((0, 40.000001), (100, 40))
    msp.add_arc((0, 20), 20, 90, 270)
    piece = only(read_pattern_dxf(save(doc, tmp_path)))
    true = shapely.box(0, 0, 100, 40).union(true_disc(0, 20, 20)).union(true_disc(100, 20, 20))
    assert outline_polygon(piece.outline).buffer(1e-6).contains(true)
    assert np.count_nonzero(piece.cut_paths[0].bulges) == 2


def test_gap_larger_than_tolerance_is_an_open_contour_error_naming_layer_and_handle(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    for a, b in [
        ((0, 0), (100, 0)),
        ((100, 0), (100, 50)),
        ((100, 50), (0, 50)),
        ((0, 50), (0, 2)),
    ]:
        msp.add_line(a, b, dxfattribs={"layer": "CUT"})
    path = save(doc, tmp_path)
    with pytest.raises(DxfError) as err:
        read_pattern_dxf(path)
    assert err.value.layer == "CUT"
    assert err.value.handle
    assert "open contour" in str(err.value)
    assert "--close-gaps-mm" in str(err.value)
    assert len(read_pattern_dxf(path, close_gaps_mm=2.5).pieces) == 1


def test_ellipse_and_spline_are_flattened_conservatively(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_ellipse((0, 0), major_axis=(40, 0), ratio=0.5)
    fit = [(200, 0), (260, 10), (280, 60), (230, 90), (190, 50), (200, 0)]
    msp.add_spline(fit)
    pieces = read_pattern_dxf(save(doc, tmp_path)).pieces
    assert len(pieces) == 2
    ell = next(p for p in pieces if p.outline.bbox[0] < 100)
    true = shapely.affinity.scale(true_disc(0, 0, 40), 1.0, 0.5)
    assert outline_polygon(ell.outline).buffer(1e-9).contains(true)
    spl = next(p for p in pieces if p.outline.bbox[0] > 100)
    curve = doc.modelspace().query("SPLINE")[0].construction_tool()
    dense = np.array([(v.x, v.y) for v in curve.approximate(2000)])
    poly = outline_polygon(spl.outline)
    assert all(poly.buffer(1e-6).contains(Point(p)) for p in dense)


def test_elliptic_arc_and_arc_chain(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    # Upper half of an ellipse closed by a line.
    msp.add_ellipse((0, 0), major_axis=(50, 0), ratio=0.4, start_param=0, end_param=math.pi)
    msp.add_line((-50, 0), (50, 0))
    piece = only(read_pattern_dxf(save(doc, tmp_path)))
    assert abs(piece.area - math.pi * 50 * 20 / 2) < 50


def test_nested_insert_with_scale_rotation_and_mirror(tmp_path):
    doc = new_doc()
    inner = doc.blocks.new("ROUND")
    inner.add_lwpolyline(rounded_rect_points(), format="xyb", close=True)
    inner.add_circle((20, 20), 5)
    outer = doc.blocks.new("WRAP")
    outer.add_blockref("ROUND", (0, 0), dxfattribs={"xscale": 2, "yscale": 2})
    msp = doc.modelspace()
    msp.add_blockref("WRAP", (500, 0), dxfattribs={"rotation": 90, "xscale": -1})
    piece = only(read_pattern_dxf(save(doc, tmp_path)))
    m = shapely.affinity
    true = rounded_rect_true().difference(true_disc(20, 20, 5))
    true = m.scale(true, 2, 2, origin=(0, 0))
    true = m.scale(true, -1, 1, origin=(0, 0))
    true = m.translate(m.rotate(true, 90, origin=(0, 0)), 500, 0)
    poly = outline_polygon(piece.outline)
    assert poly.buffer(1e-6).contains(true)
    assert poly.symmetric_difference(true).area < 1000 * TOL * 2
    # Arcs stay arcs through the mirror: bulges were flipped, not flattened.
    assert np.count_nonzero(piece.cut_paths[0].bulges) == 4
    assert len(piece.outline.holes) == 1


def test_text_gives_name_and_quantity_and_other_entities_are_ignored(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (80, 0), (80, 40), (0, 40)], close=True)
    msp.add_text("Piece Name: flap", dxfattribs={"height": 3}).set_placement((10, 20))
    msp.add_mtext("Quantity: 3").dxf.insert = (10, 10)
    msp.add_linear_dim(base=(0, -10), p1=(0, 0), p2=(80, 0)).render()
    hatch = msp.add_hatch()
    hatch.paths.add_polyline_path([(0, 0), (10, 0), (10, 10)])
    result = read_pattern_dxf(save(doc, tmp_path))
    piece = only(result)
    assert piece.name == "flap"
    assert piece.demand == 3
    assert "HATCH" in result.report.ignored
    assert "DIMENSION" in result.report.ignored


# --- pieces from rings ------------------------------------------------------------------------


def test_duplicate_outlines_collapse_and_overlapping_outlines_merge(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    sq = [(0, 0), (50, 0), (50, 50), (0, 50)]
    msp.add_lwpolyline(sq, close=True)
    msp.add_lwpolyline(sq, close=True)
    msp.add_lwpolyline([(40, 40), (90, 40), (90, 90), (40, 90)], close=True)
    msp.add_lwpolyline([(200, 0), (250, 0), (250, 50)], close=True)
    result = read_pattern_dxf(save(doc, tmp_path))
    assert len(result.pieces) == 2
    codes = result.report.codes()
    assert "DUPLICATE_CONTOUR" in codes
    assert "OVERLAPPING_OUTLINES" in codes
    merged = max(result.pieces, key=lambda p: p.area)
    assert abs(merged.area - (2 * 2500 - 100)) < 1e-6


def test_island_inside_a_hole_is_a_piece_of_its_own(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    for s in (100, 60, 20):
        h = s / 2
        msp.add_lwpolyline([(-h, -h), (h, -h), (h, h), (-h, h)], close=True)
    pieces = read_pattern_dxf(save(doc, tmp_path)).pieces
    assert sorted(round(p.area) for p in pieces) == [400, 10000 - 3600]


def test_self_intersecting_outline_is_left_out_and_alone_is_an_error(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (50, 50), (50, 0), (0, 50)], close=True, dxfattribs={"layer": "L1"})
    path = save(doc, tmp_path)
    with pytest.raises(DxfError) as err:
        read_pattern_dxf(path)
    assert "cross" in str(err.value)
    assert err.value.layer == "L1"
    msp.add_lwpolyline([(100, 0), (150, 0), (150, 50)], close=True)
    result = read_pattern_dxf(save(doc, tmp_path, "two.dxf"))
    assert len(result.pieces) == 1
    assert "SELF_INTERSECTION" in result.report.codes()


def test_layer_map_roles(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (100, 0), (100, 100), (0, 100)], close=True, dxfattribs={"layer": "K"}
    )
    msp.add_circle((30, 30), 2, dxfattribs={"layer": "DRILL"})
    msp.add_circle((70, 70), 10, dxfattribs={"layer": "HOLE"})
    msp.add_line((10, 50), (90, 50), dxfattribs={"layer": "STITCH"})
    msp.add_line((50, 10), (50, 90), dxfattribs={"layer": "GRAIN"})
    msp.add_lwpolyline([(0, 0), (500, 0), (500, 500)], close=True, dxfattribs={"layer": "FRAME"})
    lm = {"K": "cut", "DRILL": "punch", "HOLE": "cutout", "STIT*": "mark", "GRAIN": "grain",
          "FRAME": "ignore"}  # fmt: skip
    piece = only(read_pattern_dxf(save(doc, tmp_path), layer_map=lm))
    kinds = sorted(f.kind.value for f in piece.features)
    assert kinds == ["grain", "mark", "punch"]
    assert len(piece.outline.holes) == 1  # the cut-out, not the punch
    assert piece.grain is not None
    assert abs(piece.grain.direction_deg - 90) < 1e-9
    with pytest.raises(InputError):
        read_pattern_dxf(save(doc, tmp_path, "x.dxf"), layer_map={"K": "bogus"})


def make_aama(tmp_path, units_text="Units: METRIC"):
    doc = ezdxf.new("R12")
    msp = doc.modelspace()
    msp.add_text("Style Name: BAG", dxfattribs={"layer": "1"})
    msp.add_text(units_text, dxfattribs={"layer": "1"})
    for size, w in (("S", 100), ("M", 110)):
        blk = doc.blocks.new(f"FRONT_{size}")
        # Boundary split into two POLYLINE segments, as AccuMark writes it.
        blk.add_polyline2d([(0, 0), (w, 0), (w, 50)], dxfattribs={"layer": "1"})
        blk.add_polyline2d([(w, 50), (0, 50), (0, 0)], dxfattribs={"layer": "1"})
        blk.add_text("Piece Name: FRONT", dxfattribs={"layer": "1", "insert": (10, 10)})
        blk.add_text(f"Size: {size}", dxfattribs={"layer": "1", "insert": (10, 15)})
        blk.add_text("Quantity: 2", dxfattribs={"layer": "1", "insert": (10, 20)})
        blk.add_line((20, 25), (80, 25), dxfattribs={"layer": "7"})
        blk.add_line((30, 0), (30, 3), dxfattribs={"layer": "4"})
        blk.add_point((50, 30), dxfattribs={"layer": "13"})
        blk.add_line((5, 5), (5, 45), dxfattribs={"layer": "8"})
        blk.add_polyline2d(
            [(0, 0), (w, 0), (w, 50), (0, 50)], close=True, dxfattribs={"layer": "84"}
        )
        msp.add_blockref(f"FRONT_{size}", (0, 0))
    return save(doc, tmp_path, "aama.dxf")


def test_aama_blocks_layers_texts_and_units(tmp_path):
    result = read_pattern_dxf(make_aama(tmp_path))
    assert result.report.convention == "aama"
    assert [p.id for p in result.pieces] == ["FRONT-S", "FRONT-M"]
    s = result.pieces[0]
    assert s.name == "FRONT"
    assert s.demand == 2
    assert abs(s.area - 5000) < 1e-6
    kinds = sorted(f.kind.value for f in s.features if f.kind is not FeatureKind.TEXT)
    assert kinds == ["grain", "mark", "notch", "punch"]
    assert s.grain is not None
    assert abs(s.grain.direction_deg) < 1e-9
    inch = read_pattern_dxf(make_aama(tmp_path, "UNITS: ENGLISH"))
    assert abs(inch.pieces[0].area - 5000 * 25.4**2) < 1e-3


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "mm"), [(1, 25.4), (4, 1.0), (5, 10.0), (6, 1000.0)])
def test_insunits_scale_to_millimetres(tmp_path, code, mm):
    doc = new_doc(code)
    doc.modelspace().add_lwpolyline([(0, 0), (1, 0), (1, 1), (0, 1)], close=True)
    result = read_pattern_dxf(save(doc, tmp_path))
    assert abs(result.pieces[0].area - mm * mm) < 1e-9 * mm * mm
    assert "UNITS_UNKNOWN" not in result.report.codes()


def test_unitless_file_is_read_as_mm_with_a_warning_and_override_wins(tmp_path):
    doc = new_doc(0)
    doc.modelspace().add_lwpolyline([(0, 0), (2, 0), (2, 1), (0, 1)], close=True)
    path = save(doc, tmp_path)
    result = read_pattern_dxf(path)
    assert "UNITS_UNKNOWN" in result.report.codes()
    assert result.pieces[0].area == pytest.approx(2)
    assert read_pattern_dxf(path, units="cm").pieces[0].area == pytest.approx(200)


def test_undefined_insunits_code_is_an_error(tmp_path):
    doc = new_doc(4)
    doc.modelspace().add_lwpolyline([(0, 0), (2, 0), (2, 1), (0, 1)], close=True)
    path = save(doc, tmp_path)
    text = path.read_text().replace("$INSUNITS\n 70\n4\n", "$INSUNITS\n 70\n77\n")
    path.write_text(text)
    with pytest.raises(DxfError, match="INSUNITS 77"):
        read_pattern_dxf(path)


# --- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,width,height\nflap,10,20\n", "not a DXF"),
        (b"\x00\x01garbage" * 100, "not a DXF"),
    ],
)
def test_unusable_files_raise_dxf_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.dxf"
    path.write_bytes(content)
    with pytest.raises(DxfError, match=message) as err:
        read_pattern_dxf(path)
    assert str(path) in str(err.value)


def test_truncated_file_is_an_error_not_a_crash(tmp_path):
    src = make_aama(tmp_path)
    data = src.read_bytes()
    cut = tmp_path / "cut.dxf"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(DxfError) as err:
        read_pattern_dxf(cut)
    assert str(cut) in str(err.value)


def test_file_with_only_open_lines_and_texts_is_an_error(tmp_path):
    doc = new_doc()
    doc.modelspace().add_line((0, 0), (10, 0))
    with pytest.raises(DxfError):
        read_pattern_dxf(save(doc, tmp_path))


# --- hides ------------------------------------------------------------------------------------


def test_hide_outline_zones_defects_and_backbone(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_ellipse((0, 0), major_axis=(1000, 0), ratio=0.8, dxfattribs={"layer": "HIDE"})
    msp.add_circle((300, 0), 30, dxfattribs={"layer": "DEFECT"})
    msp.add_lwpolyline([(-500, -300), (-300, -300), (-300, -100)], close=True,
                       dxfattribs={"layer": "GRADE2"})  # fmt: skip
    msp.add_line((-900, 0), (900, 0), dxfattribs={"layer": "BACKBONE"})
    result = read_hide_dxf(save(doc, tmp_path), hide_id="h1")
    hide = result.hide
    assert hide.id == "h1"
    true = shapely.affinity.scale(true_disc(0, 0, 1000), 1, 0.8)
    poly = Polygon(hide.outline.outer)
    assert true.buffer(1e-6).contains(poly)  # the hide only shrinks
    assert true.area - poly.area < 2 * math.pi * 1000 * TOL * 2
    grades = sorted(z.grade for z in hide.zones)
    assert grades == [0, 2]
    defect = next(z for z in hide.zones if z.grade == 0)
    assert Polygon(defect.outline.outer).buffer(1e-9).contains(true_disc(300, 0, 30))
    assert hide.backbone is not None
    assert len(hide.backbone) == 2


def test_hide_layer_map_and_missing_outline(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (900, 0), (900, 700), (0, 700)], close=True, dxfattribs={"layer": "A"}
    )
    msp.add_circle((100, 100), 20, dxfattribs={"layer": "B"})
    path = save(doc, tmp_path)
    hide = read_hide_dxf(path, layer_map={"A": "outline", "B": "grade1"}).hide
    assert [z.grade for z in hide.zones] == [1]
    doc2 = new_doc()
    doc2.modelspace().add_line((0, 0), (1, 1), dxfattribs={"layer": "HIDE"})
    with pytest.raises(DxfError, match="hide outline"):
        read_hide_dxf(save(doc2, tmp_path, "none.dxf"))
