"""DXF files as real writers make them: soups, copies, open glyphs, T-junctions, inch parts.

Each drawing is written here with ezdxf (or, for the AC1003-era file, as DXF text by hand) and read
through the importer or the ``import`` command; the expectations are what a person looking at the
drawing would say.
"""

from __future__ import annotations

import itertools
import json
import math

import ezdxf
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import Point, Polygon

from leathernest.cli.main import main
from leathernest.geometry.shapes import outline_polygon
from leathernest.io.dxf_in import CHORD_TOL_MM, read_pattern_dxf

TOL = CHORD_TOL_MM


def save(doc, tmp_path, name="t.dxf"):
    path = tmp_path / name
    doc.saveas(path)
    return path


def lines(msp, pts, layer="0", closed=True):
    """A polygon as separate LINE entities (a soup), returns their handles."""
    ring = [*pts, pts[0]] if closed else pts
    return [msp.add_line(a, b, dxfattribs={"layer": layer}).dxf.handle
            for a, b in itertools.pairwise(ring)]  # fmt: skip


def box(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def import_json(path, *args):
    res = CliRunner().invoke(main, ["import", str(path), "--json", *args])
    return res, (json.loads(res.stdout) if res.exit_code == 0 else None)


# --- every LINE twice: an old R12 lettering export -----------------------------------------------


def lettering(msp, twice: bool, open_glyphs=()):
    """Block letters as LINE soups: O (one hole), A-like triangle (one hole), B (two holes), I, L.

    ``open_glyphs``: indices of letters whose outer outline is drawn with a 1.5 mm gap.
    """
    glyphs = [
        [box(0, 0, 40, 60), box(10, 10, 30, 50)],  # O
        [[(50, 0), (90, 0), (70, 60)], [(62, 10), (78, 10), (70, 35)]],  # A
        [box(100, 0, 140, 60), box(110, 10, 130, 25), box(110, 35, 130, 50)],  # B
        [box(150, 0, 160, 60)],  # I
        [[(170, 0), (210, 0), (210, 10), (180, 10), (180, 60), (170, 60)]],  # L
    ]
    for k, rings in enumerate(glyphs):
        for r, ring in enumerate(rings):
            pts = list(ring)
            if k in open_glyphs and r == 0:
                # Leave a gap: the last edge stops 1.5 mm short of the first point.
                (x0, y0), (x1, y1) = pts[-1], pts[0]
                d = math.hypot(x1 - x0, y1 - y0)
                end = (x1 - (x1 - x0) * 1.5 / d, y1 - (y1 - y0) * 1.5 / d)
                lines(msp, [*pts, end], layer="TEXT_CUT", closed=False)
                continue
            lines(msp, pts, layer="TEXT_CUT")
            if twice:  # the same edges again, half of them reversed
                ring_pts = [*pts, pts[0]]
                for i, (a, b) in enumerate(itertools.pairwise(ring_pts)):
                    msp.add_line(*((b, a) if i % 2 else (a, b)), dxfattribs={"layer": "TEXT_CUT"})
    return glyphs


def test_lettering_with_every_line_twice_imports_each_letter_with_its_holes(tmp_path):
    doc = ezdxf.new("R12")
    glyphs = lettering(doc.modelspace(), twice=True)
    result = read_pattern_dxf(save(doc, tmp_path))
    assert len(result.pieces) == 5
    by_x = sorted(result.pieces, key=lambda p: p.outline.bbox[0])
    assert [len(p.outline.holes) for p in by_x] == [len(g) - 1 for g in glyphs]
    for piece, rings in zip(by_x, glyphs, strict=True):
        true = Polygon(rings[0], rings[1:])
        assert piece.area == pytest.approx(true.area, abs=1e-6)
    codes = result.report.codes()
    assert "DUPLICATE_CONTOUR" in codes
    assert "SELF_INTERSECTION" not in codes


def test_lettering_soup_with_open_glyphs_imports_the_closed_ones_and_warns(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    lettering(doc.modelspace(), twice=False, open_glyphs=(1, 3))
    path = save(doc, tmp_path)
    res, data = import_json(path)
    assert res.exit_code == 0, res.stderr
    # O, B and L; the A's outline and the I are open. The A's counter, a closed triangle, is
    # left on its own: a piece as drawn (200 mm²).
    assert sorted(p["area"] for p in data["pieces"]) == pytest.approx([200, 900, 1600, 1800])
    opened = [i for i in data["issues"] if i["code"] == "OPEN_CONTOUR"]
    assert len(opened) == 2
    for issue in opened:
        assert issue["layer"] == "TEXT_CUT"
        assert issue["handles"]
        assert issue["gap_mm"] == pytest.approx(1.5, abs=1e-6)
    assert sum("OPEN_CONTOUR" in w and "gap 1.5 mm" in w for w in data["warnings"]) == 2
    # The table on stdout and one warning line per open glyph on stderr.
    res = CliRunner().invoke(main, ["import", str(path)])
    assert res.exit_code == 0
    assert sum("OPEN_CONTOUR" in line for line in res.stderr.splitlines()) == 2
    assert all(path.name in line for line in res.stderr.splitlines())


def test_close_gaps_joins_the_open_glyphs(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    lettering(doc.modelspace(), twice=False, open_glyphs=(1, 3))
    result = read_pattern_dxf(save(doc, tmp_path), close_gaps_mm=2.0)
    assert len(result.pieces) == 5
    assert "OPEN_CONTOUR" not in result.report.codes()


# --- near copies and overlaps ---------------------------------------------------------------------


def test_outline_drawn_twice_with_other_splits_and_rounding_is_one_piece(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    lines(msp, box(0, 0, 100, 50))
    # The same outline as eight half edges, shifted by rounding noise.
    e = 1e-7
    lines(msp, [(e, 0), (50, e), (100, 0), (100, 25 + e), (100, 50), (50, 50 - e), (0, 50),
                (e, 25)])  # fmt: skip
    msp.add_circle((30, 25), 10)
    msp.add_circle((30, 25 + e), 10)
    result = read_pattern_dxf(save(doc, tmp_path))
    (piece,) = result.pieces
    assert len(piece.outline.holes) == 1
    true = shapely.box(0, 0, 100, 50).difference(Point(30, 25).buffer(10, quad_segs=256))
    assert piece.area == pytest.approx(true.area, abs=2 * math.pi * 10 * TOL + 1e-3)


def test_overlapping_outlines_merge_but_parts_sharing_a_cut_line_stay_apart(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_lwpolyline(box(0, 0, 60, 40), close=True, dxfattribs={"layer": "P1"})
    msp.add_lwpolyline(box(40, 20, 100, 60), close=True, dxfattribs={"layer": "P2"})
    # Two parts side by side on their own layers, the middle line drawn once (common-line cut).
    lines(msp, [(200, 0), (250, 0), (250, 40), (200, 40)], layer="A")
    lines(msp, [(250, 0), (300, 0), (300, 40), (250, 40)], layer="B", closed=False)
    result = read_pattern_dxf(save(doc, tmp_path))
    areas = sorted(round(p.area) for p in result.pieces)
    assert areas == [2000, 2000, 2400 + 2400 - 400]
    assert "OVERLAPPING_OUTLINES" in result.report.codes()


def test_lines_across_a_piece_do_not_split_it(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    lines(msp, box(0, 0, 100, 60))
    msp.add_line((50, 0), (50, 60))  # a fold line from edge to edge, on the same layer
    msp.add_line((-10, 30), (110, 30))  # a centre line running on beyond both edges
    result = read_pattern_dxf(save(doc, tmp_path))
    (piece,) = result.pieces
    assert piece.area == pytest.approx(6000)
    assert "STRAY_LINE" in result.report.codes()
    assert len(piece.cut_paths) == 1
    assert len(piece.cut_paths[0].points) == 4


def test_tab_drawn_onto_an_edge_at_t_junctions_joins_the_piece(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_lwpolyline(box(0, 0, 100, 60), close=True)
    # A tab on the top edge, its ends a hair inside the edge (rounding of the writer).
    lines(msp, [(40, 60 - 1e-6), (40, 75), (60, 75), (60, 60 + 1e-6)], closed=False)
    (piece,) = read_pattern_dxf(save(doc, tmp_path)).pieces
    assert piece.area == pytest.approx(6000 + 300, abs=1e-3)


# --- mixed LINE / ARC / ELLIPSE soups in inches, with cut-outs ----------------------------------


def inch_sheet(msp):
    """Eight parts in inches; returns their true shapes (shapely, inches) for the checks."""
    truths = []
    for k in range(8):
        x0 = (k % 4) * 5.0
        y0 = (k // 4) * 4.0
        w, h, r = 4.0, 3.0, 0.5
        # A rounded rectangle as LINEs and ARCs, drawn in mixed directions.
        msp.add_line((x0 + r, y0), (x0 + w - r, y0))
        msp.add_arc((x0 + w - r, y0 + r), r, 270, 0)
        msp.add_line((x0 + w, y0 + h - r), (x0 + w, y0 + r))
        msp.add_arc((x0 + w - r, y0 + h - r), r, 0, 90)
        msp.add_line((x0 + w - r, y0 + h), (x0 + r, y0 + h))
        msp.add_arc((x0 + r, y0 + h - r), r, 90, 180)
        msp.add_line((x0, y0 + r), (x0, y0 + h - r))
        msp.add_arc((x0 + r, y0 + r), r, 180, 270)
        shape = shapely.box(x0 + r, y0 + r, x0 + w - r, y0 + h - r).buffer(r, quad_segs=256)
        # Cut-outs: a full ellipse, and a slot of two half ellipses joined by lines.
        cx, cy = x0 + 1.2, y0 + 1.5
        msp.add_ellipse((cx, cy), major_axis=(0.6, 0), ratio=0.5)
        ellipse = shapely.affinity.scale(Point(cx, cy).buffer(0.6, quad_segs=256), 1.0, 0.5)
        sx, sy = x0 + 2.6, y0 + 1.5
        msp.add_ellipse((sx, sy + 0.6), major_axis=(0.3, 0), ratio=0.5, start_param=0,
                        end_param=math.pi)  # fmt: skip
        msp.add_ellipse((sx, sy - 0.6), major_axis=(0.3, 0), ratio=0.5, start_param=math.pi,
                        end_param=2 * math.pi)  # fmt: skip
        msp.add_line((sx - 0.3, sy - 0.6), (sx - 0.3, sy + 0.6))
        msp.add_line((sx + 0.3, sy + 0.6), (sx + 0.3, sy - 0.6))
        slot = shapely.box(sx - 0.3, sy - 0.6, sx + 0.3, sy + 0.6)
        for dy, half in ((0.6, (0, 1)), (-0.6, (-1, 0))):
            cap = shapely.affinity.scale(Point(sx, sy + dy).buffer(0.3, quad_segs=256), 1, 0.5)
            slot = slot.union(cap.intersection(shapely.box(sx - 1, sy + dy + half[0],
                                                           sx + 1, sy + dy + half[1])))  # fmt: skip
        truths.append(shape.difference(ellipse).difference(slot))
    return truths


def test_inch_sheet_of_line_arc_ellipse_soups_with_cut_outs(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 1  # inches
    truths = inch_sheet(doc.modelspace())
    result = read_pattern_dxf(save(doc, tmp_path))
    assert len(result.pieces) == 8
    assert result.report.units == "$INSUNITS 1"
    for piece in result.pieces:
        poly = outline_polygon(piece.outline)
        centre = Point(np.asarray(poly.centroid.coords[0]) / 25.4)
        true = next(t for t in truths if t.contains(centre))
        true_mm = shapely.affinity.scale(true, 25.4, 25.4, origin=(0, 0))
        assert len(piece.outline.holes) == 2
        assert poly.buffer(1e-6).contains(true_mm)  # outlines grow, holes shrink: safe
        assert poly.area - true_mm.area < true_mm.boundary.length * 2 * TOL
        # The corners stay true arcs for the cutter.
        assert np.count_nonzero(piece.cut_paths[0].bulges) == 4


# --- an AC1003-era file with construction lines at T-junctions -----------------------------------


def _tag(code, value):
    return f"{code:>3}\n{value}\n"


def _line(a, b, layer="0"):
    return (_tag(0, "LINE") + _tag(8, layer) + _tag(10, a[0]) + _tag(20, a[1]) + _tag(11, b[0])
            + _tag(21, b[1]))  # fmt: skip


def old_format_file(path):
    """An AC1003 file as such writers left them: no handles, no tables, entities only."""
    arc = (_tag(0, "ARC") + _tag(8, "0") + _tag(10, 50) + _tag(20, 60) + _tag(40, 20)
           + _tag(50, 0) + _tag(51, 180))  # fmt: skip
    circle = _tag(0, "CIRCLE") + _tag(8, "0") + _tag(10, 50) + _tag(20, 30) + _tag(40, 10)
    outline = [_line((0, 0), (100, 0)), _line((100, 0), (100, 60)), _line((100, 60), (70, 60)),
               arc, _line((30, 60), (0, 60)), _line((0, 60), (0, 0)), circle]  # fmt: skip
    construction = [
        _line((50, 0), (50, -20)),  # a stem down from the bottom edge (T-junction)
        _line((50, 80), (50, 95)),  # a stem up from the top of the arc (T on an arc)
        _line((100, 60), (120, 80)),  # from a corner of the outline
        _line((35, 30), (65, 30)),  # a centre line through the hole
        _line((50, 0), (50, 60)),  # up the middle to the arc's chord: across the piece
    ]
    head = _tag(0, "SECTION") + _tag(2, "HEADER") + _tag(9, "$ACADVER") + _tag(1, "AC1003")
    body = _tag(0, "SECTION") + _tag(2, "ENTITIES") + "".join(outline + construction)
    path.write_text(head + _tag(0, "ENDSEC") + body + _tag(0, "ENDSEC") + _tag(0, "EOF"))
    return path


@pytest.mark.parametrize("gaps", [None, "0.5"])
def test_old_format_outline_with_construction_lines_at_t_junctions(tmp_path, gaps):
    path = old_format_file(tmp_path / "old.dxf")
    res, data = import_json(path, *(["--close-gaps-mm", gaps] if gaps else []))
    assert res.exit_code == 0, res.stderr
    (piece,) = data["pieces"]
    assert piece["holes"] == 1
    true = (shapely.box(0, 0, 100, 60).union(Point(50, 60).buffer(20, quad_segs=256))
            .difference(Point(50, 30).buffer(10, quad_segs=256)))  # fmt: skip
    assert piece["area"] == pytest.approx(true.area, abs=true.boundary.length * TOL)
    assert piece["true_arc_paths"] == 2
    strays = [i for i in data["issues"] if i["code"] == "STRAY_LINE"]
    assert len(strays) >= 4
    assert all(i["layer"] == "0" and i["handles"] for i in strays)


# --- true arcs through noding --------------------------------------------------------------------


def test_overlapping_circles_merge_with_exact_arcs_at_their_crossings(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_circle((0, 0), 30)
    msp.add_circle((40, 0), 30)
    (piece,) = read_pattern_dxf(save(doc, tmp_path)).pieces
    true = Point(0, 0).buffer(30, quad_segs=512).union(Point(40, 0).buffer(30, quad_segs=512))
    poly = outline_polygon(piece.outline)
    assert poly.buffer(1e-6).contains(true)
    assert poly.area - true.area < true.boundary.length * TOL
    (path,) = piece.cut_paths
    assert np.all(path.bulges != 0)  # arcs only, split at the two crossings
    crossings = {(round(x, 9), round(y, 9)) for x, y in path.points}
    h = math.sqrt(30**2 - 20**2)
    assert {(20.0, round(h, 9)), (20.0, round(-h, 9))} <= crossings


def test_stem_ending_on_an_arc_leaves_the_arc_whole(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_line((0, 0), (100, 0))
    msp.add_arc((50, 0), 50, 0, 180)
    msp.add_line((50, 50), (50, 80))  # a stem from the top of the arc, exactly on the curve
    (piece,) = read_pattern_dxf(save(doc, tmp_path)).pieces
    (path,) = piece.cut_paths
    assert len(path.points) == 2
    assert sorted(np.abs(path.bulges).tolist()) == pytest.approx([0.0, 1.0])


def test_block_scaled_unequally_turns_its_arcs_into_safe_ellipses(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    doc.blocks.new("DISC").add_circle((0, 0), 10)
    doc.modelspace().add_blockref("DISC", (100, 50), dxfattribs={"xscale": 3, "yscale": 1})
    (piece,) = read_pattern_dxf(save(doc, tmp_path)).pieces
    true = shapely.affinity.scale(Point(0, 0).buffer(10, quad_segs=512), 3, 1, origin=(0, 0))
    true = shapely.affinity.translate(true, 100, 50)
    poly = outline_polygon(piece.outline)
    assert poly.buffer(1e-6).contains(true)
    assert poly.area - true.area < true.boundary.length * 3 * TOL
