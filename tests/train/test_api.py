"""The trainer's HTTP API through Starlette's test client: every endpoint, and bad bodies.

The check must answer exactly what ``leathernest check`` answers for the same body, so that the
page can never accept a layout the validator rejects.
"""

import io
import json
import re
import zipfile

import pytest
from click.testing import CliRunner
from conftest import VALID, placement
from starlette.testclient import TestClient

from leathernest.cli.main import main
from leathernest.io.instance import load_job
from leathernest.io.solution_json import solution_from_json
from leathernest.model import Placement
from leathernest.train.app import MAX_BODY_BYTES, create_app
from leathernest.train.session import EngineRun, Trainer
from leathernest.validate import placed_shape, validate


@pytest.fixture
def trainer(train_job, engine_solution, tmp_path):
    return Trainer(train_job, EngineRun(train_job, 2.0, engine_solution),
                   out_dir=tmp_path / "subs")


@pytest.fixture
def client(trainer):
    return TestClient(create_app(trainer), raise_server_exceptions=False)


def body(placements, tray=(), **extra):
    return {"placements": placements,
            "unplaced": [{"item_id": p, "copy": c, "reason": "no_room"} for p, c in tray], **extra}


def test_page_and_assets_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert '<script src="/static/trainer.js">' in page.text
    for asset, kind in (("/static/trainer.js", "javascript"), ("/static/trainer.css", "css")):
        r = client.get(asset)
        assert r.status_code == 200
        assert kind in r.headers["content-type"]
        # Offline: nothing is fetched from anywhere but this server.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", r.text)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page.text)
    assert client.get("/static/nothing.js").status_code == 404


def test_job_gives_outlines_rotations_grain_and_zones(client):
    job = client.get("/api/job").json()
    assert job["name"] == "trainer-test"
    assert (job["gap_mm"], job["margin_mm"], job["snap"]) == (2, 3, True)
    front, tab = job["pieces"]
    assert front["rotations"] == {"free": False, "angles": [0, 90, 180, 270], "ranges": []}
    assert front["copies"] == 2
    assert front["area_mm2"] == pytest.approx(2400)
    assert tab["mirror"] == "pair"
    assert tab["copies"] == 2
    assert tab["grain"]["tolerance_deg"] == 10
    assert len(tab["outer"]) == 5
    (hide,) = job["hides"]
    assert [z["grade"] for z in hide["zones"]] == [0, 1]
    assert hide["usable_area_mm2"] == pytest.approx(300 * 200 - 400)
    assert hide["cost"] == pytest.approx(50.0 * 0.06)
    assert hide["backbone"] == [[0, 100], [300, 100]]
    assert job["engine"]["ready"] is True


def test_check_of_a_valid_layout(client):
    r = client.post("/api/check", json=body(VALID))
    assert r.status_code == 200
    out = r.json()
    assert out["valid"] is True
    assert out["violations"] == []
    assert out["placements"] == 4


def test_check_names_the_piece_and_the_rule(client):
    on_defect = [placement("front", 0, 130, 80), *VALID[1:]]
    out = client.post("/api/check", json=body(on_defect)).json()
    assert out["valid"] is False
    (v,) = out["violations"]
    assert (v["kind"], v["piece"]) == ("defect", "front#0")
    assert "defect" in v["message"]


def test_tray_pieces_are_not_missing_in_the_check_but_are_in_the_score(client):
    partial = body(VALID[:1], tray=[("front", 1), ("tab", 0), ("tab", 1)])
    assert client.post("/api/check", json=partial).json()["valid"] is True
    score = client.post("/api/score", json=partial).json()
    assert score["valid"] is False
    assert {v["kind"] for v in score["violations"]} == {"missing"}
    assert 0 < score["points"] < 100


def as_file(job, sent):
    """The body as a full solution file (what `check` reads): stated polygons added."""
    pieces = {p.id: p for p in job.pieces}
    pls = []
    for e in sent["placements"]:
        piece = pieces.get(e["item_id"])
        tx, ty = e["translation"]
        if piece is None:
            ring = [[tx, ty], [tx + 10, ty], [tx + 10, ty + 10], [tx, ty + 10]]
        else:
            pl = Placement(piece.id, e["copy"], None, e["rotation_deg"], e["mirrored"], tx, ty)
            ring = [list(xy) for xy in placed_shape(piece, pl).exterior.coords[:-1]]
        pls.append({**e, "polygon": ring})
    return {"format": "leathernest-solution", "version": 1, "job": job.name, "kind": "hides",
            "unplaced": sent.get("unplaced", []), "placements": pls}


@pytest.mark.parametrize("layout", [
    VALID,
    [placement("front", 0, 130, 80), *VALID[1:]],  # on the defect
    [placement("front", 0, 10, 10), placement("front", 1, 40, 20), *VALID[2:]],  # overlap
    [placement("front", 0, 10, 10, rot=45), *VALID[1:]],  # rotation not allowed
    [*VALID[:2], placement("tab", 0, 140, 10, rot=30), VALID[3]],  # grain off
    [*VALID[:2], placement("tab", 0, 10, 160), VALID[3]],  # tab on grade 1: allowed
    [placement("front", 0, 5, 150), *VALID[1:]],  # front on grade 1: needs the best
    [*VALID[:3], placement("tab", 1, 210, 10)],  # pair copy not mirrored
    [*VALID, placement("front", 0, 200, 150)],  # placed twice
    [placement("shoe", 0, 10, 10), *VALID],  # no such piece
])
def test_check_answers_what_the_check_command_answers(client, train_job_file, tmp_path, layout):
    sent = body(layout)
    api = client.post("/api/check", json=sent).json()
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(as_file(load_job(train_job_file), sent)))
    r = CliRunner().invoke(main, ["check", str(train_job_file), str(path), "--json"])
    cli = json.loads(r.stdout)
    assert api["valid"] == cli["valid"]
    assert r.exit_code == (0 if api["valid"] else 1)
    strip = [{k: v for k, v in x.items() if k != "piece"} for x in api["violations"]]
    assert strip == cli["violations"]


BAD_BODIES = [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[]", "placements"),
    (b'{"placements": 3}', "placements"),
    (b'{"placements": [3]}', "$.placements[0]"),
    (b'{"placements": [{"item_id": "front"}]}', "required"),
    (b'{"placements": [{"item_id": "front", "translation": [1]}]}', "$.placements[0]"),
    (b'{"placements": [{"item_id": "front", "translation": ["a", "b"]}]}', "$.placements[0]"),
    (b'{"placements": [{"item_id": "front", "copy": "x", "translation": [1, 2]}]}',
     "$.placements[0]"),
    (b'{"placements": [], "unplaced": [{"item_id": "front", "reason": "bored"}]}',
     "$.unplaced[0]"),
]


@pytest.mark.parametrize(("endpoint", "raw", "says"), [
    (e, raw, says) for e in ("/api/check", "/api/score", "/api/solution", "/api/dxf")
    for raw, says in BAD_BODIES
    if not (e == "/api/score" and b"unplaced" in raw)])  # the score ignores the tray list
def test_bad_bodies_get_400_with_a_one_line_message(client, endpoint, raw, says):
    r = client.post(endpoint, content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err.startswith("request body")
    if endpoint != "/api/score":  # the score reads the body as a hand layout, worded its own way
        assert says in err
    assert "\n" not in err
    assert "Traceback" not in r.text


def test_too_many_placements_and_too_large_bodies_are_refused(client):
    many = body([placement("front", k, 10, 10) for k in range(40)])
    r = client.post("/api/check", json=many)
    assert r.status_code == 400
    assert "40 placements for an order of 4 pieces" in r.json()["error"]
    huge = b'{"placements": [' + b" " * (MAX_BODY_BYTES + 10) + b"]}"
    r = client.post("/api/check", content=huge, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "bytes" in r.json()["error"]


def test_an_internal_error_is_a_json_500_without_traceback(trainer, monkeypatch):
    def broken(_body):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(trainer, "check", broken)
    client = TestClient(create_app(trainer), raise_server_exceptions=False)
    r = client.post("/api/check", json=body(VALID))
    assert r.status_code == 500
    assert r.json()["error"].startswith("internal error: kaboom")
    assert "Traceback" not in r.text


def test_score_answers_what_score_json_answers(client, train_job_file, engine_solution, tmp_path):
    sent = body(VALID, trainee="Ana Lopes")
    api = client.post("/api/score", json=sent).json()
    assert api["valid"] is True
    assert api["trainee"] == "Ana Lopes"
    assert api["points"] > 0
    for key in ("first_waste_m2", "second_waste_m2", "remnant_m2", "leather_consumed_m2",
                "best_misuse_m2", "money_consumed"):
        assert key in api["comparison"]["hand"]
        assert key in api["comparison"]["engine"]
    # The same layout and the same engine layout through the command.
    path, eng = tmp_path / "hand.json", tmp_path / "engine.json"
    path.write_text(json.dumps(sent))
    eng.write_text(json.dumps(client.get("/api/engine").json()["solution"]))
    from leathernest.io.hand_layout import read_hand_layout
    from leathernest.io.instance import load_job
    from leathernest.io.solution_json import read_solution
    from leathernest.scoring.score import score_layout, score_to_json

    job = load_job(train_job_file)
    cli = score_to_json(score_layout(job, read_hand_layout(path), engine_solution), "x", {})
    assert api["points"] == cli["points"]
    assert api["comparison"] == json.loads(json.dumps(cli["comparison"]))
    assert api["feedback"] == json.loads(json.dumps(cli["feedback"]))
    assert read_solution(eng).solution.placements == engine_solution.placements


def test_score_saves_each_trainees_submission(client, trainer):
    client.post("/api/score", json=body(VALID, trainee="Ana Lopes"))
    client.post("/api/score", json=body(VALID[:3], trainee="Ben/../../x"))
    files = sorted(p.name for p in trainer.out_dir.iterdir())
    assert files == ["Ana_Lopes.json", "Ben_.._.._x.json"]
    saved = json.loads((trainer.out_dir / "Ana_Lopes.json").read_text())
    assert saved["trainee"]["name"] == "Ana Lopes"
    assert saved["trainee"]["valid"] is True
    assert validate(trainer.job, solution_from_json(saved, "saved")) == []


def test_engine_status_while_it_works(train_job):
    busy = Trainer(train_job, EngineRun(train_job, 30.0))  # never started
    client = TestClient(create_app(busy), raise_server_exceptions=False)
    status = client.get("/api/engine").json()
    assert status["ready"] is False
    assert "solution" not in status
    busy.engine.done.set()  # as if it had failed
    busy.engine.error = "the engine failed: test"
    r = client.post("/api/score", json=body(VALID))
    assert r.status_code == 503
    assert "the engine failed" in r.json()["error"]


def test_solution_download_is_a_solution_file(client, train_job):
    r = client.post("/api/solution", json=body(VALID, trainee="Ana"))
    assert r.status_code == 200
    assert 'filename="trainer-test-Ana.json"' in r.headers["content-disposition"]
    data = r.json()
    assert data["format"] == "leathernest-solution"
    assert data["unplaced"] == []
    assert validate(train_job, solution_from_json(data, "download")) == []
    assert data["metrics"]["pieces_placed"] == 4


def test_dxf_download_only_for_a_layout_that_keeps_every_rule(client):
    r = client.post("/api/dxf", json=body(VALID))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/dxf")
    assert r.content.lstrip().startswith(b"0\r\nSECTION") or b"SECTION" in r.content[:40]
    assert b"OUTER" in r.content.upper()
    bad = body([placement("front", 0, 130, 80), *VALID[1:]])
    r = client.post("/api/dxf", json=bad)
    assert r.status_code == 400
    assert "breaks 1 rule" in r.json()["error"]
    assert client.post("/api/dxf", json=body([])).status_code == 400


def test_dxf_of_two_hides_is_a_zip(train_job, engine_solution):
    import dataclasses

    two = dataclasses.replace(train_job, stock=(dataclasses.replace(train_job.hides[0],
                                                                    stock=2),))
    client = TestClient(create_app(Trainer(two, EngineRun(two, 2.0, engine_solution))))
    layout = [*VALID[:2], dict(VALID[2], hide_copy=1), dict(VALID[3], hide_copy=1)]
    r = client.post("/api/dxf", json=body(layout))
    assert r.status_code == 200, r.text
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert len(names) == 2
    assert all(n.endswith(".dxf") for n in names)


def test_strip_jobs_are_refused(tmp_path):
    from leathernest.errors import InputError
    from leathernest.model import Job, Outline, Piece, Strip

    job = Job("s", (Piece("a", Outline.of([[0, 0], [1, 0], [1, 1]])),), Strip(10.0))
    with pytest.raises(InputError, match="strip job"):
        Trainer(job, EngineRun(job, 1.0))
