"""Exercises: reproducible by seed, graded by level, ready for the trainer."""

import json

import pytest
from click.testing import CliRunner

from leathernest.cli.main import main
from leathernest.io.instance import load_job
from leathernest.model import Mirror
from leathernest.report.metrics import usable_region
from leathernest.train.exercises import make_exercise
from leathernest.train.session import job_payload


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_the_same_level_and_seed_give_the_same_files(tmp_path, level):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, 5), (b, 5), (c, 6)):
        r = run("exercise", "--level", level, "--seed", seed, "--out", out)
        assert r.exit_code == 0, r.output
        assert f"exercise-L{level}-s{seed}" in r.stdout
    for name in ("job.json", "EXERCISE.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "job.json").read_bytes() != (c / "job.json").read_bytes()
    job = load_job(a / "job.json")
    job_payload(job)  # ready for `leathernest train`
    sheet = (a / "EXERCISE.md").read_text()
    assert sheet.startswith(f"# Exercise {level}:")
    assert "leathernest train job.json" in sheet


def test_levels_add_faults_grain_and_pairs():
    one, two, three, four = (make_exercise(level, 11).job for level in (1, 2, 3, 4))
    zero = lambda job: [z for h in job.hides for z in h.zones if z.grade == 0]  # noqa: E731
    assert not zero(one)  # a clean hide
    assert all(p.grain is None and p.mirror is Mirror.NO for p in one.pieces)
    assert {p.min_grade for p in one.pieces} == {1}  # any leather will do
    assert zero(two)  # faults to chalk-mark
    assert any(p.min_grade is None for p in two.pieces)  # grades matter
    assert all(p.grain is None for p in two.pieces)
    assert all(p.grain is not None for p in three.pieces)  # grain along the backbone
    assert all(p.mirror is Mirror.NO for p in three.pieces)
    assert any(p.mirror is Mirror.PAIR for p in four.pieces)  # left/right pairs
    assert len(four.hides) == 2
    for job in (one, two, three, four):
        usable = sum(usable_region(h).area for h in job.hides)
        assert job.demanded_area < 0.6 * usable


def test_bad_level_and_seed_exit_2(tmp_path):
    assert run("exercise", "--level", 5, "--out", tmp_path).exit_code == 2
    assert run("exercise", "--level", 1, "--seed", -1, "--out", tmp_path).exit_code == 2
    r = run("exercise", "--level", 1)
    assert r.exit_code == 2
    assert "--out" in r.output


def test_exercise_job_is_a_valid_job_file(tmp_path):
    assert run("exercise", "--level", 4, "--seed", 2, "--out", tmp_path).exit_code == 0
    data = json.loads((tmp_path / "job.json").read_text())
    assert data["format"] == "leathernest-job"
    labels = {z.get("label") for h in data["hides"] for z in h["zones"]}
    assert "hole" in labels or "scratch" in labels  # the generator names each fault
