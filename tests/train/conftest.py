"""A small order for the trainer's tests: one hide with a defect and a grade-1 zone, four pieces."""

import json

import pytest
from helpers import rect

from leathernest.io.instance import load_job
from leathernest.nest import nest
from leathernest.search.stop import StopToken

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
    return nest(train_job, stop=StopToken(train_job.time_limit_s))


def placement(pid, copy, x, y, rot=0.0, mirrored=False):
    return {"item_id": pid, "copy": copy, "bin_id": "calf", "hide_copy": 0, "rotation_deg": rot,
            "mirrored": mirrored, "translation": [x, y]}


# A valid layout of the whole order: two fronts side by side, the pair of tabs beside them.
VALID = [placement("front", 0, 10, 10), placement("front", 1, 72, 10),
         placement("tab", 0, 140, 10), placement("tab", 1, 210, 10, mirrored=True)]
