"""One DXF reader: hand layouts (``score``) read with the rules of patterns and hides.

Also the reader's own pieces that every kind of file shares: MINSERT copies placed as ezdxf
places them, graded sizes and products of AAMA files.
"""

from __future__ import annotations

import json

import ezdxf
import numpy as np
import pytest
from click.testing import CliRunner

from leathernest.cli.main import main
from leathernest.io import dxf_entities
from leathernest.io.dxf_in import read_pattern_dxf
from leathernest.io.hand_layout import read_hand_layout


def save(doc, tmp_path, name="hand.dxf"):
    path = tmp_path / name
    doc.saveas(path)
    return path


def rect(x, y, w, h):
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


# --- hand layouts ---------------------------------------------------------------------------------


def test_unitless_layout_warns_as_patterns_do(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 0
    doc.modelspace().add_lwpolyline(rect(0, 0, 20, 10), close=True)
    layout = read_hand_layout(save(doc, tmp_path))
    assert len(layout.outlines) == 1
    assert layout.units == "mm"
    assert any("UNITS_UNKNOWN" in w for w in layout.warnings)


def test_layout_in_inches_by_an_aama_units_text_is_scaled(tmp_path):
    doc = ezdxf.new("R12")
    msp = doc.modelspace()
    msp.add_text("Units: ENGLISH")
    msp.add_polyline2d(rect(0, 0, 2, 1), close=True)
    (outline,) = read_hand_layout(save(doc, tmp_path)).outlines
    assert outline.outline.area == pytest.approx(2 * 25.4 * 25.4)


def test_overlapping_outlines_stay_apart_and_soups_become_faces(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_lwpolyline(rect(0, 0, 20, 10), close=True)
    msp.add_lwpolyline(rect(15, 5, 20, 10), close=True)  # overlaps the first: scoring must see it
    # Two pieces drawn as one LINE soup, touching along x = 120.
    for a, b in [((100, 0), (140, 0)), ((140, 0), (140, 10)), ((140, 10), (100, 10)),
                 ((100, 10), (100, 0)), ((120, 0), (120, 10))]:  # fmt: skip
        msp.add_line(a, b)
    msp.add_text("a#2", dxfattribs={"insert": (130, 5)})
    layout = read_hand_layout(save(doc, tmp_path))
    areas = sorted(round(o.outline.area) for o in layout.outlines)
    assert areas == [200, 200, 200, 200]
    named = [o for o in layout.outlines if o.name]
    assert [(o.name, o.copy) for o in named] == [("a", 2)]
    assert named[0].outline.bbox[0] == pytest.approx(120)


def test_broken_and_open_parts_of_a_layout_are_listed_as_skipped(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_lwpolyline(rect(0, 0, 20, 10), close=True)
    msp.add_lwpolyline([(50, 0), (70, 0), (70, 10)], dxfattribs={"layer": "CUT"})  # left open
    msp.add_lwpolyline([(0, 50), (20, 70), (20, 50), (0, 70)], close=True)  # crosses itself
    msp.add_arc((100, 100), 5, 10, 10)  # no sweep
    layout = read_hand_layout(save(doc, tmp_path))
    assert len(layout.outlines) == 1
    text = " | ".join(layout.skipped)
    assert "OPEN_CONTOUR: layer CUT" in text
    assert "SELF_INTERSECTION" in text
    assert "DEGENERATE" in text


def test_score_prints_the_readers_warnings(tmp_path):
    job = tmp_path / "job.json"
    job.write_text(json.dumps({
        "format": "leathernest-job", "version": 1, "name": "tiny", "time_limit_s": 1,
        "pieces": [{"id": "a", "outline": rect(0, 0, 20, 10)}],
        "hides": [{"id": "h", "outline": rect(0, 0, 100, 100)}],
    }))  # fmt: skip
    doc = ezdxf.new("R2000")
    doc.units = 0
    doc.modelspace().add_lwpolyline(rect(10, 10, 20, 10), close=True)
    path = save(doc, tmp_path)
    res = CliRunner().invoke(main, ["score", str(job), str(path), "--effort", "5",
                                    "--out", str(tmp_path / "s")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "UNITS_UNKNOWN" in res.stderr
    res = CliRunner().invoke(main, ["score", str(job), str(path), "--effort", "5",
                                    "--out", str(tmp_path / "j"), "--json"])  # fmt: skip
    assert any("UNITS_UNKNOWN" in w for w in json.loads(res.stdout)["warnings"])


# --- shared reader pieces -------------------------------------------------------------------------


@pytest.mark.parametrize("extrusion", [(0, 0, 1), (0, 0, -1)])
def test_minsert_copies_are_where_ezdxf_puts_them(extrusion):
    doc = ezdxf.new("R2000")
    doc.blocks.new("B").add_line((0, 0), (1, 0))
    ref = doc.modelspace().add_blockref(
        "B", (10, 5), dxfattribs={"rotation": 30, "xscale": 2, "yscale": 3, "extrusion": extrusion}
    )
    ref.grid(size=(3, 4), spacing=(7, 11))
    mine = dxf_entities._grid_maps(ref)
    theirs = [dxf_entities._Affine.of(copy.matrix44()) for copy in ref.multi_insert()]
    assert len(mine) == len(theirs) == 12
    for a, b in zip(mine, theirs, strict=True):
        assert np.allclose(a.lin, b.lin)
        assert np.allclose(a.shift, b.shift)


def aama(tmp_path):
    doc = ezdxf.new("R12")
    msp = doc.modelspace()
    msp.add_text("Style Name: BAG", dxfattribs={"layer": "1"})
    msp.add_text("Sample Size: M", dxfattribs={"layer": "1"})
    msp.add_text("Units: METRIC", dxfattribs={"layer": "1"})
    for size, w in (("S", 100), ("M", 110), ("L", 120)):
        for part, h in (("FRONT", 50), ("BACK", 40)):
            blk = doc.blocks.new(f"{part}_{size}")
            blk.add_polyline2d(rect(0, 0, w, h), close=True, dxfattribs={"layer": "1"})
            blk.add_text(f"Piece Name: {part}", dxfattribs={"layer": "1", "insert": (10, 10)})
            blk.add_text(f"Size: {size}", dxfattribs={"layer": "1", "insert": (10, 15)})
            msp.add_blockref(f"{part}_{size}", (0, 0))
    return save(doc, tmp_path, "bag.dxf")


def test_graded_sizes_and_product_fill_the_pieces(tmp_path):
    result = read_pattern_dxf(aama(tmp_path))
    assert result.sizes == ("S", "M", "L")
    assert result.sample_size == "M"
    assert {p.product for p in result.pieces} == {"BAG"}
    assert sorted((p.name, p.size) for p in result.pieces) == sorted(
        (part, size) for size in "SML" for part in ("FRONT", "BACK")
    )
    assert {p.id for p in result.pieces} >= {"FRONT-S", "BACK-L"}


def test_import_lists_the_sizes(tmp_path):
    path = aama(tmp_path)
    res = CliRunner().invoke(main, ["import", str(path)])
    assert res.exit_code == 0
    assert "3 sizes: S, M, L (sample size M); 2 piece name(s); product BAG" in res.stdout
    data = json.loads(CliRunner().invoke(main, ["import", str(path), "--json"]).stdout)
    assert data["sizes"] == ["S", "M", "L"]
    assert data["products"] == ["BAG"]
    assert {(p["name"], p["size"]) for p in data["pieces"]} == {
        (part, size) for size in "SML" for part in ("FRONT", "BACK")
    }


def test_a_generic_file_is_its_own_product_without_sizes(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    doc.modelspace().add_lwpolyline(rect(0, 0, 20, 10), close=True)
    result = read_pattern_dxf(save(doc, tmp_path, "wallet.dxf"))
    (piece,) = result.pieces
    assert (piece.product, piece.size) == ("wallet", None)
    assert result.sizes == ()
