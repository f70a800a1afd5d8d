"""Hostile and careless input through the command line, as a subprocess, one test per kind.

Every user error must end with exit code 2 and one line on stderr naming the file (or the
option) and no traceback; exit 3 is for our own bugs only. Each case has a time bound (the
subprocess timeout) and a memory bound (``resource.setrlimit`` of the address space in the
child), so a run that hangs or grows fails instead of stalling the suite or the machine. The
inputs are generated and searches run on a small work budget (``--effort``), so the module stays
fast and its answers do not depend on the machine's speed; a signal is sent once the search has
a layout (``searching.Searching``). The cases of the second audit (issue 25) are in
``test_hostile_limits.py``.
"""

from __future__ import annotations

import copy
import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from searching import Searching

TINY = {
    "format": "leathernest-job", "version": 1, "name": "tiny", "gap_mm": 1, "margin_mm": 1,
    "pieces": [{"id": "a", "outline": [[0, 0], [20, 0], [20, 10], [0, 10]], "demand": 3}],
    "hides": [{"id": "h", "outline": [[0, 0], [100, 0], [100, 60], [0, 60]]}],
}
TINY_STRIP = {**{k: v for k, v in TINY.items() if k != "hides"}, "strip": {"height": 25}}
SQUARE = {"type": "simple_polygon", "data": [[0, 0], [10, 0], [10, 10], [0, 10]]}
JAGUA = {"name": "jj", "strip_height": 50,
         "items": [{"id": 0, "demand": 2, "allowed_orientations": [0.0, 90.0], "shape": SQUARE}]}
BOUND_S = 60  # no case may take longer than this (startup, warm-up, a 1 s search, writing)
BOUND_BYTES = 2 << 30  # nor use more address space than this (2 GiB, per process)


def bounded() -> None:
    """In the child: the memory bound (an allocation beyond it fails instead of swapping)."""
    resource.setrlimit(resource.RLIMIT_AS, (BOUND_BYTES, BOUND_BYTES))


def cli(*args, stdin: str | None = None, cwd: Path | None = None,
        timeout: float = BOUND_S) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leathernest.cli", *map(str, args)],
                          input=stdin, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          preexec_fn=bounded)


def user_error(r: subprocess.CompletedProcess, *must_name: str) -> str:
    """Assert the documented answer to a user error and return its one line."""
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("leathernest: error: "), lines[0]
    for name in must_name:
        assert name in lines[0], (name, lines[0])
    assert r.stdout == ""
    return lines[0]


def write(path: Path, data: object) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def edited(base: dict, edit) -> dict:
    job = copy.deepcopy(base)
    edit(job)
    return job


# --------------------------------------------------------------------------------------------------
# Usage errors: click's own messages, one line, exit 2


@pytest.mark.parametrize("args", [
    ["nest", "a.json", "b.json"],
    ["bench", "--instances", "albano", "--seeds", "x", "--no-dask"],
    ["nest", "tiny.json", "--seed", "-1"],
    ["nest", "tiny.json", "--gap", "nan"],
    ["nest", "tiny.json", "--time", "inf"],
    ["nest", "tiny.json", "--bogus"],
    ["nest", "wallet.dxf", "--strip-width", "400", "--close-gaps-mm", "1e308"],
    ["datasets", "hide", "calf", "--area-m2", "1e308"],
    ["score", "tiny.json", "hand.json", "--seed", "1e3"],
])
def test_usage_errors_are_one_line_exit_2(tmp_path, args):
    write(tmp_path / "tiny.json", TINY)
    user_error(cli(*args, cwd=tmp_path))


# --------------------------------------------------------------------------------------------------
# Bad or extreme job files: exit 2, the line names the file


def _nan(text: str) -> str:
    return text.replace('"NAN"', "NaN")


HOSTILE_JOBS = {
    "grain_nan": _nan(json.dumps(edited(TINY, lambda j: j["pieces"][0].update(
        grain={"direction_deg": "NAN"})))),
    "price_nan": _nan(json.dumps(edited(TINY, lambda j: j["hides"][0].update(
        price_per_m2="NAN")))),
    "rotations_nan": _nan(json.dumps(edited(TINY, lambda j: j["pieces"][0].update(
        rotations=["NAN"])))),
    "number_overflow": json.dumps(TINY).replace('"gap_mm": 1', '"gap_mm": 1e400'),
    "price_huge": edited(TINY, lambda j: j["hides"][0].update(price_per_m2=1e308)),
    "angle_huge": edited(TINY, lambda j: j["pieces"][0].update(rotations=[1e308])),
    "strip_height_huge": edited(TINY_STRIP, lambda j: j["strip"].update(height=1e308)),
    "strip_narrower_than_every_piece": edited(TINY_STRIP, lambda j: j["strip"].update(height=5)),
    "coordinates_1e15": edited(TINY, lambda j: j["hides"][0].update(
        outline=[[0, 0], [1e15, 0], [1e15, 1e15], [0, 1e15]])),
    "coordinates_tiny": edited(TINY, lambda j: j["pieces"][0].update(
        outline=[[0, 0], [1e-9, 0], [1e-9, 1e-9], [0, 1e-9]])),
    "gap_huge": edited(TINY, lambda j: j.update(gap_mm=1e6)),
    "zero_length_backbone": edited(TINY, lambda j: j["hides"][0].update(
        backbone=[[5, 5], [5, 5]])),
    "stock_0": edited(TINY, lambda j: j["hides"][0].update(stock=0)),
    "demand_1e9": edited(TINY, lambda j: j["pieces"][0].update(demand=10**9)),
    "demand_1e5": edited(TINY, lambda j: j["pieces"][0].update(demand=10**5)),
    "vertices": edited(TINY, lambda j: j["pieces"][0].update(
        outline=[[10 + 5 * __import__("math").cos(k / 1e4 * 6.283),
                  5 + 5 * __import__("math").sin(k / 1e4 * 6.283)] for k in range(10_001)])),
    "time_limit_huge": edited(TINY, lambda j: j.update(time_limit_s=1e300)),
    "jagua_orientation_nan": json.dumps(JAGUA).replace("[0.0, 90.0]", "[NaN]"),
    "jagua_cost_huge": {"name": "jb", "items": [{"id": 0, "demand": 1, "shape": SQUARE}],
                        "bins": [{"id": 0, "cost": 1e300, "shape": {
                            "type": "simple_polygon",
                            "data": [[0, 0], [50, 0], [50, 50], [0, 50]]}}]},
    "not_json": "{ this is not json",
    "empty": "",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_JOBS))
def test_hostile_job_files_exit_2_naming_the_file(tmp_path, kind):
    path = write(tmp_path / f"{kind}.json", HOSTILE_JOBS[kind])
    user_error(cli("nest", path, "--time", 1, "--out", tmp_path / "out"), f"{kind}.json")
    assert not (tmp_path / "out").exists()  # refused before anything was created


def test_a_gap_larger_than_every_piece_is_no_crash(tmp_path):
    path = write(tmp_path / "gap.json", edited(TINY, lambda j: j.update(gap_mm=500)))
    r = cli("nest", path, "--effort", 5, "--out", tmp_path / "out")
    assert r.returncode == 1, r.stderr  # one piece fits, the others are reported unplaced
    assert "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def prepared_run(tmp_path_factory):
    """One run, job from standard input, into a folder a killed earlier run left behind."""
    out = tmp_path_factory.mktemp("prepared") / "out"
    (out / ".leathernest-stage-dead").mkdir(parents=True)
    write(out / ".leathernest-stage-dead" / "solution.json", "{}")
    write(out / ".solution.json.abcd1234.tmp", "half a file")
    write(out / "old_hide_0.dxf", "from the previous run")
    write(out / "mine.txt", "the user's own file")
    write(out / "manifest.json", {"format": "leathernest-outputs", "version": 1,
                                  "files": {"dxf": ["old_hide_0.dxf"]}})
    old = os.umask(0o022)
    try:
        r = cli("nest", "-", "--effort", 5, "--out", out, "--json", stdin=json.dumps(TINY))
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    return out, json.loads(r.stdout)


def test_nest_reads_the_job_from_standard_input(prepared_run, tmp_path):
    _out, result = prepared_run
    assert result["job"] == "tiny"
    user_error(cli("nest", "-", "--out", tmp_path / "o2", stdin=""), "<stdin>")
    user_error(cli("nest", "-", "--out", tmp_path / "o3", stdin="[1, NaN]"), "<stdin>")


# --------------------------------------------------------------------------------------------------
# The output folder: checked before the search, locked, written as one set with the user's umask


@pytest.mark.parametrize("where", ["/proc/leathernest-x", "file", "long", "read_only"])
def test_an_unusable_out_folder_is_refused_before_the_search(tmp_path, where):
    job = write(tmp_path / "tiny.json", TINY)
    if where == "file":
        out = write(tmp_path / "taken", "not a folder")
    elif where == "long":
        out = tmp_path / ("x" * 300)
    elif where == "read_only":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        out = locked / "out"
    else:
        out = Path(where)
    line = user_error(cli("nest", job, "--time", 1, "--out", out), "--out")
    assert where == "file" or "choose another --out" in line  # click names the file case itself


def test_files_get_the_users_umask_and_a_manifest_written_last(prepared_run):
    out, result = prepared_run
    outputs = result["outputs"]
    assert isinstance(outputs["dxf"], list)
    assert len(outputs["dxf"]) == 1
    ours = ["job.json", "solution.json", "layout.svg", "report.html", "manifest.json",
            Path(outputs["dxf"][0]).name]
    assert sorted(p.name for p in out.iterdir()) == sorted([*ours, "mine.txt"])
    for name in ours:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["dxf"] == [Path(outputs["dxf"][0]).name]


def test_stale_temporaries_and_the_previous_runs_files_are_cleaned(prepared_run):
    out, _result = prepared_run
    names = {p.name for p in out.iterdir()}
    assert ".leathernest-stage-dead" not in names
    assert ".solution.json.abcd1234.tmp" not in names
    assert "old_hide_0.dxf" not in names  # listed by the old manifest, not written again
    assert "mine.txt" in names  # never listed: not ours


@pytest.fixture(scope="module")
def two_hide_run(tmp_path_factory):
    """Hides "a/b" and "a_b" (one file name once cleaned), asking for 1000 workers."""
    tmp = tmp_path_factory.mktemp("two")
    hide = {"outline": [[0, 0], [30, 0], [30, 20], [0, 20]]}
    job = edited(TINY, lambda j: j.update(hides=[{**hide, "id": "a/b"}, {**hide, "id": "a_b"}]))
    job["pieces"][0]["demand"] = 2
    path = write(tmp / "two.json", job)
    r = cli("nest", path, "--effort", 5, "--workers", 1000, "--out", tmp / "out", "--json")
    assert r.returncode == 0, r.stderr
    return r


def test_hide_ids_that_clean_to_one_name_get_two_files(two_hide_run):
    dxf = json.loads(two_hide_run.stdout)["outputs"]["dxf"]
    assert len(dxf) == 2
    assert len(set(dxf)) == 2
    assert all(Path(p).exists() for p in dxf)


def test_workers_beyond_the_cores_are_capped_with_a_warning(two_hide_run):
    assert "--workers 1000 capped at" in two_hide_run.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_keep_the_best_layout_and_a_second_run_is_locked_out(tmp_path, sig):
    job = write(tmp_path / "strip.json", TINY_STRIP)
    out = tmp_path / "out"
    with Searching("nest", job, "--time", 120, "--out", out, preexec_fn=bounded) as command:
        command.wait()  # the search has a layout (and the folder is claimed)
        second = cli("nest", job, "--effort", 5, "--out", out)
        user_error(second, "another leathernest run")
        ended = command.stop(sig, guard_s=BOUND_S)
    assert ended.returncode == 130, ended.terminal
    assert "interrupted; the best valid layout so far was written" in ended.terminal
    check = cli("check", job, out / "solution.json")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_demo_writes_its_layout_on_ctrl_c(tmp_path):
    out = tmp_path / "demo"
    with Searching("demo", "--time", 120, "--out", out, preexec_fn=bounded) as command:
        command.wait()
        ended = command.stop(signal.SIGINT, guard_s=BOUND_S)
    assert ended.returncode == 130, ended.terminal
    assert (out / "manifest.json").exists()
    assert cli("check", "demo_wallets", out / "solution.json").returncode == 0


# --------------------------------------------------------------------------------------------------
# Solution files: strict schema, consistent, of this job; `check` exit 2 naming file and JSON path


def _solution(tmp_path: Path, job: dict) -> tuple[Path, dict]:
    """A valid solution of ``job``, written by the library without a search."""
    from leathernest.io.instance import load_job
    from leathernest.io.solution_json import solution_to_json
    from leathernest.model import HideLayout, Placement, Solution, Unplaced, UnplacedReason

    path = write(tmp_path / "job.json", job)
    the_job = load_job(path)
    if the_job.is_strip:
        lay = HideLayout(None, (Placement("a", 0, None, 0.0, False, 1.0, 1.0),))
        sol = Solution("tiny", "strip", (lay,), strip_length=22.0,
                       unplaced=(Unplaced("a", 1, UnplacedReason.NO_ROOM),
                                 Unplaced("a", 2, UnplacedReason.NO_ROOM)))
    else:
        lay = HideLayout("h", (Placement("a", 0, "h", 0.0, False, 5.0, 5.0),
                               Placement("a", 1, "h", 0.0, False, 30.0, 5.0)))
        sol = Solution("tiny", "hides", (lay,),
                       unplaced=(Unplaced("a", 2, UnplacedReason.NO_ROOM),))
    return path, solution_to_json(the_job, sol)


@pytest.mark.parametrize("job", [TINY, TINY_STRIP])
def test_the_unedited_solutions_are_valid(tmp_path, job):
    path, data = _solution(tmp_path, job)
    r = cli("check", path, write(tmp_path / "good.json", data))
    assert r.returncode == 0, r.stdout + r.stderr


SOLUTION_EDITS = {
    "placed_and_unplaced": (lambda d: d["unplaced"].append(
        {"item_id": "a", "copy": 0, "reason": "no_room"}), "$.unplaced[1]"),
    "unplaced_unknown_piece": (lambda d: d["unplaced"].append(
        {"item_id": "zz", "copy": 0, "reason": "no_room"}), "$.unplaced[1]"),
    "unplaced_beyond_demand": (lambda d: d["unplaced"].append(
        {"item_id": "a", "copy": 7, "reason": "no_room"}), "$.unplaced[1]"),
    "mirrored_string": (lambda d: d["placements"][0].update(mirrored="false"),
                        "$.placements[0].mirrored"),
    "copy_fraction": (lambda d: d["placements"][0].update(copy=0.9), "$.placements[0].copy"),
    "seed_string": (lambda d: d.update(seed="0"), "$.seed"),
    "elapsed_string": (lambda d: d.update(elapsed_s="1.5"), "$.elapsed_s"),
    "unknown_field": (lambda d: d["placements"][0].update(colour="red"), "$.placements[0]"),
    "no_polygon": (lambda d: d["placements"][0].pop("polygon"), "$.placements[0]"),
    "other_job": (lambda d: d.update(fingerprint="0123456789abcdef"), "$.fingerprint"),
}


@pytest.mark.parametrize("kind", sorted(SOLUTION_EDITS))
def test_broken_solution_files_exit_2_naming_file_and_json_path(tmp_path, kind):
    job, data = _solution(tmp_path, TINY)
    edit, where = SOLUTION_EDITS[kind]
    edit(data)
    user_error(cli("check", job, write(tmp_path / "bad.json", data)), "bad.json", where)


@pytest.mark.parametrize("value", ['"10"', "NaN", None])
def test_a_strip_length_that_is_not_a_finite_number_is_refused(tmp_path, value):
    job, data = _solution(tmp_path, TINY_STRIP)
    if value is None:
        del data["strip_length"]
        text = json.dumps(data)
    else:
        text = json.dumps(data).replace('"strip_length": 22.0', f'"strip_length": {value}')
    user_error(cli("check", job, write(tmp_path / "bad.json", text)), "bad.json")


def test_a_polygon_moved_onto_another_piece_is_a_violation(tmp_path):
    job, data = _solution(tmp_path, TINY)
    data["placements"][1]["polygon"] = data["placements"][0]["polygon"]
    r = cli("check", job, write(tmp_path / "moved.json", data), "--json")
    assert r.returncode == 1, r.stderr
    assert [v["kind"] for v in json.loads(r.stdout)["violations"]] == ["polygon"]


def test_a_solution_of_another_job_says_so(tmp_path):
    _job, data = _solution(tmp_path, TINY)
    other = write(tmp_path / "other.json", edited(TINY, lambda j: j["pieces"][0].update(
        outline=[[0, 0], [21, 0], [21, 10], [0, 10]])))
    line = user_error(cli("check", other, write(tmp_path / "s.json", data)), "s.json")
    assert "made for another job of the same name 'tiny'" in line


def test_check_finds_the_bundled_instance_beside_a_folder_of_its_name(tmp_path):
    from leathernest.io.instance import load_job
    from leathernest.io.solution_json import write_solution
    from leathernest.model import HideLayout, Solution, Unplaced, UnplacedReason

    job = load_job("jakobs1")  # nothing placed, every copy reported: a valid layout
    unplaced = tuple(Unplaced(p.id, c, UnplacedReason.NO_ROOM) for p in job.pieces
                     for c in range(p.n_copies))
    empty = Solution(job.name, "strip", (HideLayout(None, ()),), unplaced, strip_length=0.0)
    write_solution(tmp_path / "jakobs1" / "solution.json", job, empty)
    r = cli("check", "jakobs1", "jakobs1/solution.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout


# --------------------------------------------------------------------------------------------------
# Exit 3 is ours: a real internal error shows its traceback


def test_an_internal_error_exits_3_with_a_traceback(tmp_path):
    code = ("import leathernest.io.instance as i\n"
            "def boom(*a, **k):\n    raise RuntimeError('boom')\n"
            "i.load_job = boom\n"
            "from leathernest.cli.main import main\nmain(['nest', 'x.json'])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=BOUND_S, cwd=tmp_path)
    assert r.returncode == 3
    assert "Traceback" in r.stderr
    assert "internal error: boom - this is a bug" in r.stderr


@pytest.mark.parametrize("args", [
    ["check", "tiny.json", "s.json", "--svg", "/proc/leathernest-x/a.svg"],
    ["datasets", "hide", "calf", "--out", "/proc/leathernest-x/calf.json"],
])
def test_a_named_output_file_that_cannot_be_written_is_exit_2(tmp_path, args):
    _job, data = _solution(tmp_path, TINY)
    write(tmp_path / "tiny.json", TINY)
    write(tmp_path / "s.json", data)
    user_error(cli(*args, cwd=tmp_path), "/proc/leathernest-x")
