"""``nest`` options of the cutting room: cutter profile, DXF version, layer map, price, margins."""

import json
from pathlib import Path

import ezdxf
from click.testing import CliRunner

from leathernest.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "datasets"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# Searches stop on work (--effort), never on the clock: the job's time limit only caps them.
EFFORT = 10


def test_pattern_dxf_gets_the_profiles_knife_gap_r12_aama_layers_and_a_price(tmp_path):
    out = tmp_path / "o"
    r = run("nest", DATA / "patterns" / "card_holder.dxf", "--hides",
            DATA / "hides" / "calf-11.dxf", "--cutter-profile", "aama", "--dxf-version", "r12",
            "--price-per-m2", 40, "--effort", EFFORT, "--out", out, "--json")
    assert r.exit_code == 0, r.output
    assert "knife gap 2 mm from the aama cutter profile" in r.stderr
    assert json.loads((out / "job.json").read_text())["gap_mm"] == 2.0
    assert json.loads(r.stdout)["metrics"]["total_cost"] > 0
    (dxf,) = out.glob("*.dxf")
    doc = ezdxf.readfile(dxf)
    assert doc.dxfversion == "AC1009"
    assert {"1", "REF_HIDE"} <= {e.dxf.layer for e in doc.modelspace()}


def test_a_job_asking_for_no_gap_is_warned_and_margins_reach_the_job(tmp_path):
    job = {"format": "leathernest-job", "version": 1, "name": "z", "gap_mm": 0,
           "pieces": [{"id": "a", "outline": [[0, 0], [20, 0], [20, 10], [0, 10]], "demand": 2}],
           "hides": [{"id": "h", "outline": [[0, 0], [100, 0], [100, 60], [0, 60]]}]}
    path = tmp_path / "z.json"
    path.write_text(json.dumps(job))
    r = run("nest", path, "--edge-margin", 6, "--defect-margin", 1, "--effort", EFFORT,
            "--out", tmp_path / "o")
    assert r.exit_code == 0, r.output
    assert "gap 0 mm between pieces" in r.stderr
    nested = json.loads((tmp_path / "o" / "job.json").read_text())
    assert (nested["edge_margin_mm"], nested["defect_margin_mm"]) == (6.0, 1.0)
    assert "edge margin 6 mm, defect margin 1 mm" in (tmp_path / "o" / "report.html").read_text()
    check = run("check", tmp_path / "o" / "job.json", tmp_path / "o" / "solution.json")
    assert check.exit_code == 0, check.output


def test_layer_map_on_nest_reads_patterns_drawn_on_other_layers(tmp_path):
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (40, 0), (40, 30), (0, 30)], close=True,
                       dxfattribs={"layer": "KONTUR"})
    msp.add_circle((20, 15), 4, dxfattribs={"layer": "LOCH"})
    path = tmp_path / "p.dxf"
    doc.saveas(path)
    r = run("nest", path, "--strip-width", 100, "--layer-map", "KONTUR=cut", "--layer-map",
            "LOCH=punch", "--effort", EFFORT, "--out", tmp_path / "o", "--json")
    assert r.exit_code == 0, r.output
    (dxf,) = (tmp_path / "o").glob("*.dxf")
    layers = [e.dxf.layer for e in ezdxf.readfile(dxf).modelspace()]
    assert "PUNCH" in layers
    bad = run("nest", path, "--strip-width", 100, "--cutter-profile", "nope", "--effort", EFFORT,
              "--out", tmp_path / "x")
    assert bad.exit_code == 2
    assert "cutter profile" in bad.stderr
