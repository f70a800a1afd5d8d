import json
from pathlib import Path

import pytest

from leathernest.datasets import datasets
from leathernest.errors import InputError, JobFileError
from leathernest.io.instance import load_job
from leathernest.io.job_json import job_to_json, read_job
from leathernest.model import Mirror, Strip

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SHARED_INSTANCES = sorted(SHARED.glob("strip/*.json")) + sorted(SHARED.glob("leather/*.json"))


@pytest.mark.parametrize("ds", datasets(), ids=lambda d: d.name)
def test_every_bundled_instance_loads(ds):
    job = load_job(ds.path)
    assert job.pieces
    assert sum(p.n_copies for p in job.pieces) > 0
    if ds.kind == "strip":
        assert isinstance(job.stock, Strip)


@pytest.mark.skipif(not SHARED_INSTANCES, reason="../shared/data is not beside this checkout")
@pytest.mark.parametrize("path", SHARED_INSTANCES, ids=lambda p: p.stem)
def test_every_shared_instance_loads(path):
    job = load_job(path)
    data = json.loads(path.read_text())
    assert sum(p.demand for p in job.pieces) == sum(i["demand"] for i in data["items"])
    if "bins" in data:
        assert len(job.hides) == len(data["bins"])
        assert sum(len(h.zones) for h in job.hides) == sum(
            len(b.get("zones", [])) for b in data["bins"]
        )


def test_jagua_quality_semantics():
    job = load_job("baldacci1")
    graded = [p for p in job.pieces if p.min_grade is not None]
    assert any(p.min_grade is None for p in job.pieces)
    assert all(p.min_grade >= 1 for p in graded)
    assert any(z.grade == 0 or z.grade >= 1 for h in job.hides for z in h.zones)


def test_load_by_name_and_path_agree():
    a = load_job("albano")
    b = load_job(ROOT / "datasets" / "esicup" / "albano.json")
    assert [p.id for p in a.pieces] == [p.id for p in b.pieces]


JOB = {
    "format": "leathernest-job", "version": 1, "name": "w", "gap_mm": 2, "margin_mm": 3,
    "units": "cm",
    "pieces": [{"id": "front", "outline": [[0, 0], [10, 0], [10, 6], [0, 6]], "demand": 2,
                "min_grade": 2, "grain": {"direction_deg": 0, "tolerance_deg": 10},
                "mirror": "pair", "rotations": {"ranges": [[-10, 10]]}, "group": "wallet",
                "priority": 2}],
    "hides": [{"id": "calf", "outline": [[0, 0], [90, 0], [90, 60], [0, 60]],
               "zones": [{"grade": 0, "outline": [[10, 10], [12, 10], [12, 12], [10, 12]]}],
               "backbone": [[0, 30], [90, 30]], "price_per_m2": 45.0}],
}


def _write(tmp_path, data, name="job.json"):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data))
    return p


def test_job_file_reads_everything_and_scales_units(tmp_path):
    job = load_job(_write(tmp_path, JOB))
    front = job.pieces[0]
    assert front.area == pytest.approx(100 * 60)
    assert front.mirror is Mirror.PAIR
    assert front.n_copies == 4
    assert front.group == "wallet"
    assert front.rotations.allows(5)
    assert not front.rotations.allows(20)
    hide = job.hides[0]
    assert hide.zones[0].grade == 0
    assert hide.backbone[1, 0] == 900
    assert job.gap_mm == 2
    assert job.margin_mm == 3


def test_job_json_round_trip(tmp_path):
    job = load_job(_write(tmp_path, JOB))
    again = read_job(job_to_json(job), None, "x")
    assert again.pieces[0].area == pytest.approx(job.pieces[0].area)
    assert again.hides[0].price_per_m2 == 45.0
    assert again.pieces[0].grain == job.pieces[0].grain


@pytest.mark.parametrize(("content", "needle"), [
    ("", "empty"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a job"),
    (json.dumps({"format": "leathernest-job", "pieces": []}), "$"),
    (json.dumps({**JOB, "pieces": [{**JOB["pieces"][0], "demand": -1}]}), "pieces[0]"),
    (json.dumps({**JOB, "pieces": [{**JOB["pieces"][0],
                                    "outline": [[0, 0], [20, 0], [0, 10], [10, 10]]}]}),
     "not a simple polygon"),
    (json.dumps({"items": [], "strip_height": 10}), "items"),
])
def test_bad_job_files_name_file_and_place(tmp_path, content, needle):
    p = _write(tmp_path, content)
    with pytest.raises(JobFileError) as info:
        load_job(p)
    line = info.value.one_line()
    assert str(p) in line
    assert needle in line
    assert "\n" not in line


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_job(tmp_path / "nope.json")
