"""`leathernest import` and the real DXF files of the shared corpus (when it is present)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leathernest.cli.main import main
from leathernest.errors import DxfError
from leathernest.io.dxf_in import read_pattern_dxf

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "dxf"
# The shared corpus lies beside the main checkout (../shared) or beside the worktrees' parent.
SHARED = next(
    (d for d in (REPO.parent / "shared", REPO.parent.parent / "shared") if d.is_dir()),
    REPO.parent / "shared",
) / "data" / "dxf"


def manifest():
    if not (SHARED / "MANIFEST.tsv").is_file():
        return []
    with open(SHARED / "MANIFEST.tsv", encoding="utf-8") as fh:
        return [(r["file"], r["expect"]) for r in csv.DictReader(fh, delimiter="\t")]


@pytest.mark.skipif(not manifest(), reason="../shared/data/dxf is not beside the checkout")
@pytest.mark.parametrize(("name", "expect"), manifest() or [("-", "-")])
def test_shared_file_imports_as_its_manifest_expects(name, expect):
    path = SHARED / name
    if expect == "error":
        with pytest.raises(DxfError) as err:
            read_pattern_dxf(path)
        assert name in str(err.value)
        return
    need = int(expect.split(">=")[1])
    pieces = read_pattern_dxf(path).pieces
    assert len(pieces) >= need
    assert all(p.area > 0 for p in pieces)


def test_bundled_aama_file():
    result = read_pattern_dxf(DATA / "astm_clo_box_aama.dxf")
    (piece,) = result.pieces
    assert piece.name == "Pattern2D_4937"
    assert piece.demand == 1
    assert result.report.units == "in"
    x0, _y0, x1, _y1 = piece.outline.bbox
    assert abs((x1 - x0) - 118.2 * 25.4) < 1.0  # inches in the file, mm inside
    assert piece.grain is not None
    assert abs(piece.grain.direction_deg - 90.0) < 1e-6


def test_cli_json_output_has_pieces_with_name_and_area():
    res = CliRunner().invoke(main, ["import", str(DATA / "dxfplotter_closed_spline.dxf"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["pieces"]
    assert all(p["name"] and p["area"] > 0 for p in data["pieces"])


def test_cli_table_and_units_option():
    res = CliRunner().invoke(main, ["import", str(DATA / "astm_clo_box_aama.dxf"), "--units", "mm"])
    assert res.exit_code == 0
    assert "Pattern2D_4937" in res.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (b"a,b,c\n1,2,3\n", "not a DXF"), (b"0\nSECTION\n2\nENTITIES\n0\nLINE\n", "")],
)
def test_cli_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, content, needle):
    path = tmp_path / "bad.dxf"
    path.write_bytes(content)
    res = CliRunner().invoke(main, ["import", str(path), "--json"])
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("leathernest: error:")
    assert "bad.dxf" in lines[0]
    assert needle in lines[0]
    assert "Traceback" not in res.stderr


def test_cli_layer_map_and_hide(tmp_path):
    import ezdxf

    doc = ezdxf.new()
    doc.units = 4
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (900, 0), (900, 700), (0, 700)], close=True, dxfattribs={"layer": "E"}
    )
    msp.add_circle((100, 100), 20, dxfattribs={"layer": "FLAW"})
    path = tmp_path / "hide.dxf"
    doc.saveas(path)
    res = CliRunner().invoke(
        main, ["import", str(path), "--hide", "--json", "--layer-map", "E=outline",
               "--layer-map", "FLAW=defect"],
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    hide = json.loads(res.stdout)["hide"]
    assert hide["zones"][0]["grade"] == 0
    res = CliRunner().invoke(main, ["import", str(path), "--layer-map", "E=nonsense"])
    assert res.exit_code == 2
    assert "unknown role" in res.stderr
