"""A small order for the trainer's tests: one hide with a defect and a grade-1 zone, four pieces."""

import json

import pytest
from helpers import budget, rect

from leathernest.io.instance import load_job
from leathernest.nest import nest

CHIRAL = [[0, 0], [30, 0], [30, 5], [12, 18], [0, 9]]
DEFECT = rect(20, 20, 150, 90)  # x 150..170, y 90..110

JOB = {
    "format": "leathernest-job", "version": 1, "name": "trainer-test", "gap_mm": 2,
    "margin_mm": 3, "time_limit_s": 2,
    "pieces": [
        {"id": "front", "outline": rect(60, 40), "demand": 2, "rotations": [0, 90, 180, 270]},
        {"id": "tab", "outline": CHIRAL, "demand": 1, "min_grade": 1, "mirror": "pair",
         "grain": {"direction_deg": 0, "tolerance_deg": 10}},
    ],
    "hides": [{"id": "calf", "outline": rect(300, 200), "price_per_m2": 50.0,
               "backbone": [[0, 100], [300, 100]],
               "zones": [{"grade": 0, "outline": DEFECT},
                         {"grade": 1, "outline": rect(80, 50, 0, 150)}]}],
}


@pytest.fixture(scope="session")
def train_job_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("trainer") / "job.json"
    path.write_text(json.dumps(JOB))
    return path


@pytest.fixture(scope="session")
def train_job(train_job_file):
    return load_job(train_job_file)


@pytest.fixture(scope="session")
def engine_solution(train_job):
    return nest(train_job, stop=budget(20_000))


def placement(pid, copy, x, y, rot=0.0, mirrored=False):
    return {"item_id": pid, "copy": copy, "bin_id": "calf", "hide_copy": 0, "rotation_deg": rot,
            "mirrored": mirrored, "translation": [x, y]}


# A valid layout of the whole order: two fronts side by side, the pair of tabs beside them.
VALID = [placement("front", 0, 10, 10), placement("front", 1, 72, 10),
         placement("tab", 0, 140, 10), placement("tab", 1, 210, 10, mirrored=True)]


# -- the class server as a user starts it --------------------------------------------------------

import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

START_TIMEOUT_S = 120  # importing the library and binding; nothing else before the line
KEY = "test-trainer-key"


class Server:
    """``leathernest classroom`` in a subprocess on a free port, and a small HTTP client."""

    def __init__(self, db, extra=()):
        self.db = str(db)
        cmd = [sys.executable, "-m", "leathernest.cli", "classroom", "--db", self.db, "--port", "0",
               "--no-browser", "--trainer-key", KEY, "--workers", "1", *extra]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.url = None
        deadline = time.monotonic() + START_TIMEOUT_S
        lines = []
        while self.url is None and time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"trainees open (http://127\.0\.0\.1:\d+/)", line)
            self.url = m.group(1) if m else None
        if self.url is None:
            self.proc.kill()
            raise RuntimeError(f"the class server did not start: {''.join(lines)}")
        self.log = lines
        # Read the rest of its stderr all along: a full pipe would stop the server.
        self._reader = threading.Thread(target=lambda: self.log.extend(self.proc.stderr),
                                        daemon=True)
        self._reader.start()

    def call(self, method, path, body=None, key=KEY, token=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path.lstrip("/"), data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if key:
            req.add_header("X-Trainer-Key", key)
        if token:
            req.add_header("X-Trainee-Token", token)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def wait_engine(self, eid, timeout_s=240):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            _, ex = self.call("GET", f"/api/trainer/exercises/{eid}")
            if ex["engine_state"] in ("ready", "failed"):
                return ex
            time.sleep(0.5)
        raise AssertionError("the engine's layout did not come")

    def stop(self, sig=signal.SIGINT):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(10)
        return self.proc.returncode


def class_with_exercise(server, job=JOB, engine_time_s=2.0, open_it=True):
    """A class with one exercise of ``job`` (opened), its id and join code."""
    _, cls = server.call("POST", "/api/trainer/classes", {"name": "test class"})
    status, ex = server.call("POST", f"/api/trainer/classes/{cls['id']}/exercises",
                             {"job": job, "engine_time_s": engine_time_s})
    assert status == 201, ex
    if open_it:
        server.call("POST", f"/api/trainer/exercises/{ex['id']}", {"state": "open"})
    return cls, ex["id"]
