"""The class summary: every trainee's score in a CSV and an HTML page, and the common mistakes."""

import csv
import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import VALID, placement

from leathernest.cli.main import main
from leathernest.io.solution_json import write_solution


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def folder(tmp_path, train_job, train_job_file, engine_solution):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(train_job_file, subs / "job.json")
    write_solution(subs / "engine_solution.json", train_job, engine_solution)

    def save(name, layout):
        (subs / f"{name}.json").write_text(json.dumps({"trainee": name, "placements": layout}))

    save("Ana", VALID)
    save("Ben", [placement("front", 0, 130, 80), *VALID[1:]])  # on the defect
    save("Cleo", [placement("front", 0, 20, 150), *VALID[1:]])  # on grade 1, needs the best
    (subs / "Dan.json").write_text("{ not json")
    return subs


def test_class_writes_a_row_per_trainee_and_the_common_mistakes(folder):
    r = run("class", folder)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader((folder / "class.csv").open()))
    assert [row["trainee"] for row in rows] == ["Ana", "Ben", "Cleo", "Dan"]  # best first
    ana, ben, cleo, dan = rows
    assert ana["valid"] == "True"
    assert float(ana["points"]) > 0
    assert float(ben["points"]) == 0.0
    assert "defect" in ben["mistakes"]
    assert "grade" in cleo["mistakes"]
    assert dan["error"].startswith(str(folder / "Dan.json"))
    page = (folder / "class.html").read_text()
    assert "faults not avoided: cut across a fault or too near one" in page
    assert "1 of 4" in page
    assert page.count("<svg") == 4  # the engine's layout and the three readable ones
    assert "Ana" in r.stdout
    assert "unreadable" in r.stdout


def test_class_without_a_job_or_submissions_exits_2(tmp_path, folder):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("class", empty)
    assert r.exit_code == 2
    assert "no job.json" in r.output
    r = run("class", empty, "--job", folder / "job.json")
    assert r.exit_code == 2
    assert "no submissions" in r.output
