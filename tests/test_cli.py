"""The command line through click's runner and as a subprocess: outputs, JSON, exit codes."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from searching import Searching

from leathernest.cli.main import main

TINY = {
    "format": "leathernest-job", "version": 1, "name": "tiny", "gap_mm": 1, "margin_mm": 1,
    "pieces": [{"id": "a", "outline": [[0, 0], [20, 0], [20, 10], [0, 10]], "demand": 3}],
    "hides": [{"id": "h", "outline": [[0, 0], [100, 0], [100, 60], [0, 60]],
               "zones": [{"grade": 0, "outline": [[40, 20], [45, 20], [45, 25], [40, 25]]}]}],
}


@pytest.fixture
def tiny(tmp_path):
    p = tmp_path / "tiny.json"
    p.write_text(json.dumps(TINY))
    return p


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# Searches stop on work (--effort), never on the clock: the job's time limit only caps them, so a
# loaded machine gets the same layout as a quiet one.
EFFORT = 10


def test_nest_writes_valid_solution_and_picture(tiny, tmp_path):
    out = tmp_path / "out"
    r = run("nest", tiny, "--effort", EFFORT, "--out", out, "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["metrics"]["pieces_placed"] == 3
    assert not result["hit_time_limit"]  # it stopped on work
    assert (out / "solution.json").exists()
    assert (out / "layout.svg").exists()
    assert "<svg" in (out / "layout.svg").read_text()
    assert "cutting order" in (out / "layout.svg").read_text()  # the route is drawn
    report = (out / "report.html").read_text()
    assert "<h2>Cutting</h2>" in report
    assert list(out.glob("*.dxf"))
    r2 = run("check", tiny, out / "solution.json")
    assert r2.exit_code == 0
    assert "valid" in r2.stdout


def test_check_finds_violations_and_exits_1(tiny, tmp_path):
    out = tmp_path / "out"
    assert run("nest", tiny, "--effort", EFFORT, "--out", out).exit_code == 0
    data = json.loads((out / "solution.json").read_text())
    for key in ("translation", "rotation_deg", "mirrored", "polygon"):
        data["placements"][1][key] = data["placements"][0][key]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    r = run("check", tiny, bad, "--json")
    assert r.exit_code == 1
    found = json.loads(r.stdout)
    assert not found["valid"]
    assert [v["kind"] for v in found["violations"]] == ["overlap"]


def test_unplaced_pieces_exit_1_and_are_named(tmp_path):
    job = dict(TINY, pieces=[*TINY["pieces"], {"id": "huge", "outline": [[0, 0], [500, 0],
                                                                          [500, 500], [0, 500]]}])
    p = tmp_path / "j.json"
    p.write_text(json.dumps(job))
    r = run("nest", p, "--effort", EFFORT, "--out", tmp_path / "o")
    assert r.exit_code == 1
    assert "huge" in r.stdout


@pytest.mark.parametrize("content", ["", "{", "[]", '{"format": "leathernest-job"}'])
def test_bad_input_exits_2_with_one_line(tmp_path, content):
    p = tmp_path / "bad.json"
    p.write_text(content)
    r = run("nest", p, "--out", tmp_path / "o")
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(p) in lines[0]
    assert "Traceback" not in r.output
    assert not (tmp_path / "o").exists()


def test_missing_file_and_bad_usage_exit_2(tmp_path):
    assert run("nest", tmp_path / "nope.json").exit_code == 2
    assert run("nest").exit_code == 2
    assert run("nest", "albano", "--time", "-1").exit_code == 2


def test_version_help_and_light_import_in_a_subprocess():
    exe = [sys.executable, "-m", "leathernest.cli"]
    v = subprocess.run([*exe, "--version"], capture_output=True, text=True, check=True)
    assert "leathernest" in v.stdout
    code = ("import sys, leathernest.cli.main; "
            "print(sorted(m for m in ('numba', 'shapely', 'ortools', 'ezdxf') "
            "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_nest_bundled_instance_as_subprocess(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "leathernest.cli", "nest", "jakobs1", "--effort",
                        str(EFFORT), "--out", str(out), "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["metrics"]["density"] > 0.5
    assert Path(out / "solution.json").exists()


def test_ctrl_c_writes_the_best_valid_layout_and_exits_130(tmp_path):
    out = tmp_path / "out"
    with Searching("nest", "baldacci1", "--time", "600", "--out", out) as command:
        command.wait()  # Ctrl-C in the middle of the search, once it has a layout
        ended = command.stop(signal.SIGINT)
    assert ended.returncode == 130, ended.terminal
    assert "interrupted; the best valid layout so far was written" in ended.terminal
    assert " hide(s), utilisation " in ended.stdout  # the summary line of the layout written
    r = run("check", "baldacci1", out / "solution.json")
    assert r.exit_code == 0, r.stdout  # valid: pieces not reached are reported, not missing


def test_pattern_dxf_on_a_strip_with_products(tmp_path):
    dxf = Path(__file__).resolve().parents[1] / "datasets" / "patterns" / "card_holder.dxf"
    one = run("nest", dxf, "--strip-width", 400, "--effort", EFFORT, "--out", tmp_path / "a",
              "--json")
    two = run("nest", dxf, "--strip-width", 400, "--effort", EFFORT, "--products", 2,
              "--out", tmp_path / "b", "--json")
    assert one.exit_code == 0, one.output
    assert two.exit_code == 0, two.output
    demanded = [json.loads(r.stdout)["metrics"]["pieces_demanded"] for r in (one, two)]
    assert demanded[1] == 2 * demanded[0] > 0
    assert list((tmp_path / "b").glob("*.dxf"))


def test_job_whose_every_piece_is_larger_than_every_hide_exits_2(tmp_path):
    job = dict(TINY, pieces=[{"id": "huge", "outline": [[0, 0], [500, 0], [500, 500], [0, 500]]}])
    p = tmp_path / "j.json"
    p.write_text(json.dumps(job))
    r = run("nest", p, "--out", tmp_path / "o")
    assert r.exit_code == 2
    assert "larger than every hide" in r.stderr
    assert not (tmp_path / "o").exists()


def test_a_dxf_gap_error_names_an_option_nest_accepts(tmp_path):
    import ezdxf

    doc = ezdxf.new()
    doc.header["$INSUNITS"] = 4
    msp = doc.modelspace()
    for a, b in [((0, 0), (50, 0)), ((50, 0), (50, 30)), ((50, 30), (0, 30)), ((0, 30), (0, 2))]:
        msp.add_line(a, b)
    path = tmp_path / "gap.dxf"
    doc.saveas(path)
    r = run("nest", path, "--strip-width", 100, "--effort", EFFORT, "--out", tmp_path / "o")
    assert r.exit_code == 2
    assert "--close-gaps-mm" in r.stderr
    fixed = run("nest", path, "--strip-width", 100, "--effort", EFFORT, "--close-gaps-mm", 3,
                "--out", tmp_path / "o2")
    assert fixed.exit_code == 0, fixed.output


def test_a_5000_piece_strip_job_on_effort_is_complete_tight_and_written(tmp_path):
    # Issue 24's job: 5,000 rectangles of 3 x 2 mm, one job entry each, on a 100 mm strip. On a
    # work budget the sampled fill gets half of it and the rest goes on the shelf; the command
    # validates and writes every output, whatever the machine's speed.
    pieces = [{"id": f"r{k}", "outline": [[0, 0], [3, 0], [3, 2], [0, 2]], "rotations": [0, 90]}
              for k in range(5000)]
    job = tmp_path / "rect5000.json"
    job.write_text(json.dumps({"format": "leathernest-job", "version": 1, "name": "rect5000",
                               "gap_mm": 0, "margin_mm": 0, "pieces": pieces,
                               "strip": {"height": 100}}))
    out = tmp_path / "o"
    args = ["nest", job, "--effort", 30, "--time", 600, "--workers", 1, "--out", out, "--json"]
    r = subprocess.run([sys.executable, "-m", "leathernest.cli", *map(str, args)],
                       capture_output=True, text=True, timeout=900, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout)
    assert result["metrics"]["pieces_placed"] == 5000
    assert result["metrics"]["density"] >= 0.9
    for name in ("solution.json", "layout.svg", "report.html", "manifest.json"):
        assert (out / name).stat().st_size > 0
