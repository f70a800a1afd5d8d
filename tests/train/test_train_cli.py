"""``leathernest train``: user errors are one line and exit 2, before anything is served."""

import json
import socket

from click.testing import CliRunner

from leathernest.cli.main import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_job_given_as_the_engine_layout_is_a_clear_error(train_job_file):
    r = run("train", train_job_file, "--no-browser", "--engine-solution", train_job_file)
    assert r.exit_code == 2
    assert "not a solution" in r.output


def test_a_port_in_use_is_a_clear_error(train_job_file, train_job, engine_solution,
                                               tmp_path):
    from leathernest.io.solution_json import write_solution

    eng = write_solution(tmp_path / "engine.json", train_job, engine_solution)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = run("train", train_job_file, "--port", port, "--no-browser", "--engine-solution", eng)
    assert r.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in r.output
    assert "--port 0" in r.output


def test_strip_jobs_bad_jobs_and_bad_engine_files_exit_2(tmp_path, train_job_file):
    strip = tmp_path / "strip.json"
    strip.write_text(json.dumps({"format": "leathernest-job", "version": 1, "name": "s",
                                 "pieces": [{"id": "a", "outline": [[0, 0], [9, 0], [9, 9]]}],
                                 "strip": {"height": 50}}))
    r = run("train", strip, "--no-browser")
    assert r.exit_code == 2
    assert "strip job" in r.output
    r = run("train", tmp_path / "nope.json", "--no-browser")
    assert r.exit_code == 2
    bad = tmp_path / "engine.json"
    bad.write_text(json.dumps({"placements": [{"item_id": "front", "copy": 0, "bin_id": "calf",
                                               "translation": [140, 80]}]}))
    r = run("train", train_job_file, "--no-browser", "--engine-solution", bad)
    assert r.exit_code == 2
    assert "engine.json" in r.output  # not a solution file: read strictly, the file named


def test_a_trainees_name_never_becomes_a_file(tmp_path, train_job_file, train_job,
                                              engine_solution):
    """``train --out DIR``: names such as job or engine_solution are data, not file names."""
    import re
    import signal
    import sqlite3
    import subprocess
    import sys
    import urllib.request

    from leathernest.io.solution_json import write_solution

    eng = write_solution(tmp_path / "engine.json", train_job, engine_solution)
    out = tmp_path / "session"
    proc = subprocess.Popen([sys.executable, "-m", "leathernest.cli", "train", str(train_job_file),
                             "--port", "0", "--no-browser", "--engine-solution", str(eng),
                             "--out", str(out), "--workers", "0"], stderr=subprocess.PIPE,
                            text=True)
    try:
        url = code = None
        for line in proc.stderr:
            m = re.search(r"trainees open (http://127\.0\.0\.1:\d+/)\?code=(\w+)", line)
            if m:
                url, code = m.groups()
                break
        assert url, "train did not start"

        def post(path, data, token=None):
            req = urllib.request.Request(url + path, json.dumps(data).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Trainee-Token": token or ""})
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())

        for name in ("job", "engine_solution", "../job", "classroom"):
            token = post("api/join", {"code": code, "name": name})["token"]
            post("api/exercises/1/attempts", {"placements": []}, token)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        proc.stderr.close()
    assert {p.name for p in out.iterdir()} <= {"classroom.sqlite", "classroom.sqlite-wal",
                                               "classroom.sqlite-shm"}
    with sqlite3.connect(out / "classroom.sqlite") as db:
        rows = db.execute("select t.name from attempts a join trainees t on t.id = a.trainee_id"
                          " order by a.id").fetchall()
    assert [r[0] for r in rows] == ["job", "engine_solution", "../job", "classroom"]
    # `class DIR` summarises the same attempts (each trainee's latest), from the database.
    r = run("class", out)
    assert r.exit_code == 0, r.output
    import csv
    trainees = {row["trainee"] for row in csv.DictReader((out / "class.csv").open())}
    assert trainees == {"job", "engine_solution", "../job", "classroom"}
