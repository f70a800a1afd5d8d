"""Every way a DXF import can fail, through the CLI: exit 2, one line, the file, layer and handle.

Also the documented limits (block depth, expanded entities, MINSERT copies, vertices, file size,
``--close-gaps-mm``) and the entities that are skipped with a warning (huge bulges, coordinates
out of range, an ARC whose start and end angle are equal). Limits are checked before anything is
expanded, so the hostile files here fail at once; no test depends on the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import ezdxf
import pytest
from click.testing import CliRunner

from leathernest.cli.main import main
from leathernest.io import dxf_entities, dxf_in


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(res, name: str) -> str:
    """The single stderr line of a failed run (exit 2), checked for the file's name."""
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("leathernest: error:")
    assert name in lines[0]
    assert "Traceback" not in res.stderr
    return lines[0]


def new(units=4):
    doc = ezdxf.new("R2000")
    doc.units = units
    return doc


def square(msp, x=0.0, y=0.0, s=10.0, layer="CUT"):
    return msp.add_lwpolyline([(x, y), (x + s, y), (x + s, y + s), (x, y + s)], close=True,
                              dxfattribs={"layer": layer})  # fmt: skip


# --- files that are not usable -------------------------------------------------------------------


def _truncated(path):
    doc = new()
    for k in range(50):
        square(doc.modelspace(), 20.0 * k)
    doc.saveas(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bad_insunits(path):
    doc = new()
    square(doc.modelspace())
    doc.saveas(path)
    path.write_text(path.read_text().replace("$INSUNITS\n 70\n4\n", "$INSUNITS\n 70\n77\n"))


def _open_lines(path):
    doc = new()
    msp = doc.modelspace()
    for a, b in [((0, 0), (100, 0)), ((100, 0), (100, 50)), ((100, 50), (0, 50)),
                 ((0, 50), (0, 3))]:  # fmt: skip
        msp.add_line(a, b, dxfattribs={"layer": "CUT"})
    doc.saveas(path)


def _bow_tie(path):
    doc = new()
    doc.modelspace().add_lwpolyline([(0, 0), (50, 50), (50, 0), (0, 50)], close=True,
                                    dxfattribs={"layer": "CUT"})  # fmt: skip
    doc.saveas(path)


def _nothing(path):
    doc = new()
    doc.modelspace().add_text("just a note", dxfattribs={"layer": "CUT"})
    doc.saveas(path)


def _huge_bulge(path):
    doc = new()
    doc.modelspace().add_lwpolyline([(0, 0, 0, 0, 1e300), (10, 0, 0, 0, 0), (10, 10, 0, 0, 0)],
                                    format="xyseb", close=True, dxfattribs={"layer": "CUT"})
    doc.saveas(path)


def _far_away(path):
    doc = new()
    square(doc.modelspace(), 1e15, 1e15)
    doc.saveas(path)


def _overflowing_inches(path):
    doc = new(units=1)
    doc.modelspace().add_circle((1e307, 0), 1e307, dxfattribs={"layer": "CUT"})
    doc.saveas(path)


def _huge_insert_scale(path):
    doc = new()
    doc.blocks.new("B").add_circle((0, 0), 1)
    doc.modelspace().add_blockref("B", (0, 0), dxfattribs={"layer": "CUT", "xscale": 1e300,
                                                           "yscale": 1e300})  # fmt: skip
    doc.saveas(path)


def _equal_angle_arc(path):
    doc = new()
    doc.modelspace().add_arc((0, 0), 20, 30, 30, dxfattribs={"layer": "CUT"})
    doc.saveas(path)


def _nested(depth):
    def make(path):
        doc = new()
        blk = doc.blocks.new("B0")
        square(blk, layer="0")
        for k in range(1, depth):
            doc.blocks.new(f"B{k}").add_blockref(f"B{k - 1}", (1, 0))
        doc.modelspace().add_blockref(f"B{depth - 1}", (0, 0), dxfattribs={"layer": "CUT"})
        doc.saveas(path)

    return make


def _fan(path):
    # Ten copies of ten copies ... six levels deep: a million squares from a 20 kB file.
    doc = new()
    square(doc.blocks.new("F0"), layer="0")
    for k in range(1, 7):
        blk = doc.blocks.new(f"F{k}")
        for i in range(10):
            blk.add_blockref(f"F{k - 1}", (i * 12.0 * 10 ** (k - 1), 0))
    doc.modelspace().add_blockref("F6", (0, 0), dxfattribs={"layer": "CUT"})
    doc.saveas(path)


def _minsert(path):
    doc = new()
    square(doc.blocks.new("S"), layer="0")
    ref = doc.modelspace().add_blockref("S", (0, 0), dxfattribs={"layer": "CUT"})
    ref.grid(size=(1000, 1000), spacing=(12, 12))
    doc.saveas(path)


def _self_insert(path):
    doc = new()
    blk = doc.blocks.new("LOOP")
    square(blk, layer="0")
    blk.add_blockref("LOOP", (20, 0))
    doc.modelspace().add_blockref("LOOP", (0, 0), dxfattribs={"layer": "CUT"})
    doc.saveas(path)


def _many_vertices(path):
    # A thousand circles of 1 km radius: each 2,221 vertices at the relative chord floor.
    doc = new()
    doc.blocks.new("C").add_circle((0, 0), 1e6)
    ref = doc.modelspace().add_blockref("C", (0, 0), dxfattribs={"layer": "CUT"})
    ref.grid(size=(10, 100), spacing=(10, 10))
    doc.saveas(path)


CASES = [
    # (name, maker or raw bytes, words the line must contain)
    ("empty", b"", ["empty"]),
    ("csv", b"name,width\nflap,10\n", ["not a DXF"]),
    ("random", bytes(range(256)) * 40, ["not a DXF"]),
    ("sectionless", b"0\nSECTION\n2\nENTITIES\n0\nLINE\n", []),
    ("truncated", _truncated, ["truncated"]),
    ("insunits", _bad_insunits, ["$INSUNITS 77"]),
    ("open", _open_lines, ["open contour (gap 3 mm)", "layer CUT", "handle", "--close-gaps-mm"]),
    ("bowtie", _bow_tie, ["cross themselves", "layer CUT", "handle"]),
    ("nothing", _nothing, ["no closed outline"]),
    ("bulge", _huge_bulge, ["bulge", "layer CUT", "handle"]),
    ("faraway", _far_away, ["coordinates", "layer CUT", "handle"]),
    ("overflow", _overflowing_inches, ["coordinates", "layer CUT", "handle"]),
    ("hugescale", _huge_insert_scale, ["coordinates", "layer CUT", "handle"]),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>',
     ["not a DXF"]),
    ("arc", _equal_angle_arc, ["equal", "layer CUT", "handle"]),
    ("deep", _nested(dxf_entities.MAX_BLOCK_DEPTH + 8), ["nested more than", "layer CUT"]),
    ("fan", _fan, [f"more than {dxf_entities.MAX_ENTITIES:,} entities", "layer CUT", "handle"]),
    ("minsert", _minsert, [f"more than {dxf_entities.MAX_ENTITIES:,} entities", "layer CUT"]),
    ("selfinsert", _self_insert, ["inserts itself", "layer CUT"]),
    ("vertices", _many_vertices, [f"{dxf_entities.MAX_VERTICES:,} contour vertices", "layer CUT"]),
]


@pytest.mark.parametrize(("name", "make", "words"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("as_hide", [False, True], ids=["pattern", "hide"])
def test_unusable_file_exits_2_with_one_line_naming_file_layer_and_handle(
    tmp_path, name, make, words, as_hide
):
    path = tmp_path / f"{name}.dxf"
    if isinstance(make, bytes):
        path.write_bytes(make)
    else:
        make(path)
    res = run("import", path, "--json", *(["--hide"] if as_hide else []))
    line = one_error_line(res, path.name)
    for w in words:
        if as_hide and w == "no closed outline":
            w = "no closed hide outline"
        assert w in line, line


def test_the_same_files_as_hand_layouts_for_score(tmp_path):
    job = tmp_path / "job.json"
    job.write_text(json.dumps({
        "format": "leathernest-job", "version": 1, "name": "tiny",
        "pieces": [{"id": "a", "outline": [[0, 0], [10, 0], [10, 10], [0, 10]]}],
        "hides": [{"id": "h", "outline": [[0, 0], [200, 0], [200, 200], [0, 200]]}],
    }))  # fmt: skip
    for name, make in [("fan", _fan), ("minsert", _minsert), ("deep", _nested(40)),
                       ("bulge", _huge_bulge)]:  # fmt: skip
        path = tmp_path / f"{name}.dxf"
        make(path)
        res = run("score", job, path, "--time", 1, "--out", tmp_path / "s")
        one_error_line(res, path.name)
        assert not (tmp_path / "s").exists()


def test_huge_bulge_through_the_installed_command_is_exit_2_not_a_traceback(tmp_path):
    path = tmp_path / "bulge.dxf"
    _huge_bulge(path)
    proc = subprocess.run(
        [sys.executable, "-m", "leathernest.cli", "import", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# --- usable files with something skipped: warnings, exit 0 --------------------------------------


def _with_good_square(make):
    def both(path):
        make(path)
        doc = ezdxf.readfile(path)
        square(doc.modelspace(), 500, 500, 40)
        doc.saveas(path)

    return both


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (_huge_bulge, "BAD_ENTITY", "bulge"),
        (_far_away, "BAD_ENTITY", "coordinates"),
        (_equal_angle_arc, "DEGENERATE", "equal"),
        (_bow_tie, "SELF_INTERSECTION", "crosses itself"),
        (_open_lines, "OPEN_CONTOUR", "gap 3 mm"),
    ],
    ids=["bulge", "faraway", "arc", "bowtie", "open"],
)
def test_a_bad_entity_beside_a_good_piece_is_a_warning(tmp_path, make, code, words):
    path = tmp_path / "mixed.dxf"
    _with_good_square(make)(path)
    res = run("import", path, "--json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    (piece,) = data["pieces"]
    assert piece["area"] == pytest.approx(1600)
    issue = next(i for i in data["issues"] if i["code"] == code)
    assert words in issue["message"]
    assert issue["layer"] == "CUT"
    assert issue["handles"]
    assert any(code in w and words in w for w in data["warnings"])


def test_equal_angle_arc_inside_a_piece_cuts_no_hole(tmp_path):
    doc = new()
    msp = doc.modelspace()
    square(msp, 0, 0, 100)
    msp.add_arc((50, 50), 20, 45, 45, dxfattribs={"layer": "CUT"})
    msp.add_arc((50, 50), 10, 0, 360, dxfattribs={"layer": "CUT"})  # a full turn: a circle
    path = tmp_path / "arcs.dxf"
    doc.saveas(path)
    result = dxf_in.read_pattern_dxf(path)
    (piece,) = result.pieces
    assert len(piece.outline.holes) == 1  # the 0-360 arc; the 45-45 one is skipped
    assert "DEGENERATE" in result.report.codes()


def test_binary_dxf_imports(tmp_path):
    doc = new()
    square(doc.modelspace())
    path = tmp_path / "binary.dxf"
    doc.saveas(path, fmt="bin")
    res = run("import", path, "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["pieces"][0]["area"] == pytest.approx(100)


def test_twenty_levels_of_nested_blocks_import(tmp_path):
    path = tmp_path / "deep20.dxf"
    _nested(20)(path)
    (piece,) = dxf_in.read_pattern_dxf(path).pieces
    assert piece.area == pytest.approx(100)
    assert piece.outline.bbox[0] == pytest.approx(19)  # 19 nested offsets of 1 mm


def test_limits_are_checked_before_anything_is_expanded(tmp_path, monkeypatch):
    # The MINSERT asks for a million copies: not one may be made before the limit says no.
    from ezdxf.entities import Insert

    made = []
    real = Insert.multi_insert
    monkeypatch.setattr(Insert, "multi_insert", lambda self: (made.append(1), real(self))[1])
    path = tmp_path / "minsert.dxf"
    _minsert(path)
    with pytest.raises(dxf_in.DxfError, match=f"{dxf_entities.MAX_ENTITIES:,} entities"):
        dxf_in.read_pattern_dxf(path)
    assert made == []


# --- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e308", "inf", "nan", "-1", "101"])
def test_close_gaps_out_of_range_is_one_line(tmp_path, value):
    path = tmp_path / "ok.dxf"
    doc = new()
    square(doc.modelspace())
    doc.saveas(path)
    line = one_error_line(run("import", path, "--close-gaps-mm", value), path.name)
    assert "close-gaps-mm must be from 0 to 100 mm" in line


def test_file_larger_than_the_limit_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "big.dxf"
    doc = new()
    square(doc.modelspace())
    doc.saveas(path)
    monkeypatch.setattr(dxf_in, "MAX_FILE_MB", 1e-4)
    assert "limit of" in one_error_line(run("import", path), path.name)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--units", "parsec"], "unknown unit"),
        (["--layer-map", "CUT=bogus"], "unknown role 'bogus'"),
        (["--hide", "--layer-map", "CUT=bogus"], "unknown role 'bogus'"),
        (["--layer-map", "no-such-file"], "neither LAYER=ROLE"),
    ],
)
def test_bad_options_name_the_file(tmp_path, args, words):
    path = tmp_path / "ok.dxf"
    doc = new()
    square(doc.modelspace())
    doc.saveas(path)
    assert words in one_error_line(run("import", path, *args), path.name)


def test_layer_map_file_that_is_not_json_names_that_file(tmp_path):
    path = tmp_path / "ok.dxf"
    doc = new()
    square(doc.modelspace())
    doc.saveas(path)
    bad = tmp_path / "map.json"
    bad.write_text("[1, 2")
    assert "not a JSON object" in one_error_line(run("import", path, "--layer-map", bad),
                                                 "map.json")  # fmt: skip


def test_hide_without_outline_names_the_open_contour(tmp_path):
    path = tmp_path / "hide.dxf"
    doc = new()
    msp = doc.modelspace()
    for a, b in [((0, 0), (900, 0)), ((900, 0), (900, 700)), ((900, 700), (0, 700)),
                 ((0, 700), (0, 5))]:  # fmt: skip
        msp.add_line(a, b, dxfattribs={"layer": "HIDE"})
    doc.saveas(path)
    line = one_error_line(run("import", path, "--hide"), path.name)
    assert "no closed hide outline" in line
    assert "layer HIDE" in line
    assert "--close-gaps-mm" in line
    assert run("import", path, "--hide", "--close-gaps-mm", "6").exit_code == 0


def test_an_error_from_deep_inside_the_importer_still_names_the_file(tmp_path, monkeypatch):
    # Whatever part of the reader raises an InputError without a file, the line names the file.
    from leathernest.errors import InputError

    def fail(*_args, **_kwargs):
        raise InputError("curve path needs at least two [x, y] points")

    path = tmp_path / "ok.dxf"
    doc = new()
    square(doc.modelspace())
    doc.saveas(path)
    monkeypatch.setattr(dxf_in, "make_piece", fail)
    line = one_error_line(run("import", path), path.name)
    assert "at least two" in line
