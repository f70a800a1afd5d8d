"""The class server's HTTP API through Starlette's test client: answers, and every refusal.

The whole-layout check must answer exactly what ``leathernest check`` answers for the same body,
so that the page can never accept a layout the validator rejects; a submit must be kept, scored
as ``leathernest score`` scores it, and never overwrite an earlier one.
"""

import io
import json
import re
import zipfile

import pytest
from click.testing import CliRunner
from conftest import JOB, VALID, placement
from starlette.testclient import TestClient

from leathernest.cli.main import main
from leathernest.io.instance import load_job
from leathernest.io.solution_json import solution_from_json, solution_text
from leathernest.model import Placement
from leathernest.scoring.score import score_layout
from leathernest.train.checking import WorkPool
from leathernest.train.classapp import MAX_BODY_BYTES, Classroom, create_app
from leathernest.train.store import open_store
from leathernest.validate import placed_shape, validate

KEY = "the-trainer-key"
K = {"X-Trainer-Key": KEY}


@pytest.fixture
def room(tmp_path, train_job, engine_solution):
    db = tmp_path / "class.sqlite"
    store = open_store(str(db))
    r = Classroom(store, WorkPool(f"sqlite:///{db}", 0), KEY)
    r.start(with_engine=False)
    yield r
    r.close()


@pytest.fixture
def client(room):
    return TestClient(create_app(room), raise_server_exceptions=False)


@pytest.fixture
def cls(client, room, train_job, engine_solution):
    """A class with the test order as its open exercise (engine layout given) and two trainees."""
    c = client.post("/api/trainer/classes", json={"name": "Porto"}, headers=K).json()
    ex = client.post(f"/api/trainer/classes/{c['id']}/exercises",
                     json={"job": JOB, "engine_time_s": 2}, headers=K).json()
    room.store.set_engine(ex["id"], "ready", solution_text(train_job, engine_solution))
    client.post(f"/api/trainer/exercises/{ex['id']}", json={"state": "open"}, headers=K)
    tokens = {}
    for name in ("Ana", "Ben"):
        r = client.post("/api/join", json={"code": c["code"], "name": name})
        assert r.status_code == 201
        tokens[name] = {"X-Trainee-Token": r.json()["token"]}
    return {"id": c["id"], "code": c["code"], "eid": ex["id"], **tokens}


def body(placements, **extra):
    return {"placements": placements, **extra}


def test_pages_and_assets_are_served_from_the_package(client):
    for path in ("/", "/trainer"):
        page = client.get(path)
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page.text)
    for asset in ("nest.js", "draw.js", "i18n.js", "trainer.js", "nest.css", "trainer.css",
                  "messages.json"):
        r = client.get(f"/static/{asset}")
        assert r.status_code == 200
        # Offline: nothing is fetched from anywhere but this server.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", r.text)
    assert client.get("/static/nothing.js").status_code == 404


def test_the_job_as_the_page_draws_it_with_grades_in_words(client, cls):
    job = client.get(f"/api/exercises/{cls['eid']}?lang=pt", headers=cls["Ana"]).json()
    assert job["name"] == "trainer-test"
    assert (job["gap_mm"], job["margin_mm"], job["snap"]) == (2, 3, True)
    front, tab = job["pieces"]
    assert front["rotations"] == {"free": False, "angles": [0, 90, 180, 270], "ranges": []}
    assert (front["copies"], tab["copies"], tab["mirror"]) == (2, 2, "pair")
    (hide,) = job["hides"]
    assert [z["grade"] for z in hide["zones"]] == [0, 1]
    assert hide["usable_area_mm2"] == pytest.approx(300 * 200 - 400)
    words = job["grade_words"]
    assert words["best"] == "pele de primeira (sem marca)"
    assert words["needs"]["1"] == "qualquer pele sã (fora dos defeitos)"
    assert job["exercise"]["state"] == "open"


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
    placed = {(e["item_id"], e["copy"]) for e in sent["placements"]}
    tray = [{"item_id": p.id, "copy": c, "reason": "no_room"} for p in job.pieces
            for c in range(p.n_copies) if (p.id, c) not in placed]
    return {"format": "leathernest-solution", "version": 1, "job": job.name, "kind": "hides",
            "unplaced": tray, "placements": pls}


@pytest.mark.parametrize("layout", [
    VALID,
    [placement("front", 0, 130, 80), *VALID[1:]],  # on the fault
    [placement("front", 0, 10, 10), placement("front", 1, 40, 20), *VALID[2:]],  # overlap
    [placement("front", 0, 10, 10, rot=45), *VALID[1:]],  # rotation not allowed
    [*VALID[:2], placement("tab", 0, 140, 10, rot=30), VALID[3]],  # grain off
    [placement("front", 0, 5, 150), *VALID[1:]],  # front on grade 1: needs the best
    [*VALID[:3], placement("tab", 1, 210, 10)],  # pair copy not mirrored
    [*VALID, placement("front", 0, 200, 150)],  # placed twice
    [placement("shoe", 0, 10, 10), *VALID],  # no such piece
    VALID[:2],  # two pieces still in the tray: not missing in a check
])
def test_the_whole_check_answers_what_the_check_command_answers(client, cls, train_job_file,
                                                                 tmp_path, layout):
    sent = body(layout)
    api = client.post(f"/api/exercises/{cls['eid']}/check", json=sent, headers=cls["Ana"]).json()
    assert api["scope"] == "all"
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(as_file(load_job(train_job_file), sent)))
    r = CliRunner().invoke(main, ["check", str(train_job_file), str(path), "--json"])
    cli = json.loads(r.stdout)
    assert (not api["violations"]) == cli["valid"]
    keep = ("kind", "pieces", "hide", "amount", "message")
    assert [{k: v[k] for k in keep} for v in api["violations"]] == cli["violations"]
    assert all(v["text"] and v["rule"] for v in api["violations"])


def test_a_move_is_answered_for_the_moved_piece_in_plain_words(client, cls):
    sent = body([placement("front", 0, 130, 80), *VALID[1:]], moved=["front#0"], lang="en")
    out = client.post(f"/api/exercises/{cls['eid']}/check", json=sent, headers=cls["Ana"]).json()
    assert out["scope"] == "moved"
    (v,) = out["violations"]
    assert (v["kind"], v["piece"], v["rule"]) == ("defect", "front#0", "on a fault")
    assert v["text"] == "front 1 is 20 mm onto a fault"
    sent["lang"] = "pl"
    out = client.post(f"/api/exercises/{cls['eid']}/check", json=sent, headers=cls["Ana"]).json()
    assert out["violations"][0]["text"] == "front 1 wchodzi 20 mm na wadę"


def test_a_submit_is_kept_scored_as_score_scores_it_and_never_overwritten(
        client, cls, room, train_job, engine_solution):
    from leathernest.io.hand_layout import hand_layout_from_json

    url = f"/api/exercises/{cls['eid']}/attempts"
    good = client.post(url, json=body(VALID), headers=cls["Ana"])
    assert good.status_code == 201
    first = good.json()
    want = score_layout(train_job, hand_layout_from_json(body(VALID), "x"), engine_solution)
    assert first["points"] == want.comparison["points"] > 0
    assert first["valid"] is True
    worse = client.post(url, json=body(VALID[:1]), headers=cls["Ana"]).json()
    assert worse["points"] < first["points"]
    mine = client.get(url, headers=cls["Ana"]).json()
    assert [a["id"] for a in mine] == [first["id"], worse["id"]]  # both kept, oldest first
    assert client.get(f"/api/attempts/{first['id']}", headers=cls["Ana"]).json()["points"] == \
        first["points"]
    live = client.get(f"/api/trainer/classes/{cls['id']}/live", headers=K).json()
    ana = next(t for t in live["trainees"] if t["name"] == "Ana")
    assert ana["attempts"][str(cls["eid"])]["n"] == 2
    assert ana["attempts"][str(cls["eid"])]["best"] == first["points"]
    csv = client.get(f"/api/trainer/exercises/{cls['eid']}/class.csv", headers=K)
    assert csv.status_code == 200
    assert csv.text.count("\nAna,") == 2


def test_the_live_view_names_the_class_mistakes_in_the_trade_words(client, cls):
    url = f"/api/exercises/{cls['eid']}/attempts"
    client.post(url, json=body([placement("front", 0, 130, 80), *VALID[1:]]), headers=cls["Ana"])
    client.post(url, json=body([placement("front", 0, 130, 80), *VALID[1:]]), headers=cls["Ben"])
    live = client.get(f"/api/trainer/classes/{cls['id']}/live?lang=it", headers=K).json()
    top = live["mistakes"][str(cls["eid"])][0]
    assert (top["key"], top["n"], sorted(top["who"])) == ("defect", 2, ["Ana", "Ben"])
    assert top["text"].startswith("difetti non evitati")


# -- refusals -----------------------------------------------------------------------------------


TRAINER_CALLS = [("GET", "/api/trainer/classes"), ("POST", "/api/trainer/classes"),
                 ("POST", "/api/trainer/classes/1/exercises"),
                 ("GET", "/api/trainer/classes/1/live"),
                 ("GET", "/api/trainer/exercises/1"), ("POST", "/api/trainer/exercises/1"),
                 ("GET", "/api/trainer/exercises/1/job"),
                 ("GET", "/api/trainer/exercises/1/engine"),
                 ("GET", "/api/trainer/exercises/1/class.csv"),
                 ("GET", "/api/trainer/exercises/1/drafts/1"), ("GET", "/api/trainer/attempts/1"),
                 ("POST", "/api/trainer/trainees/1/let-in")]


@pytest.mark.parametrize(("method", "path"), TRAINER_CALLS)
def test_the_trainers_calls_need_the_trainers_key(client, cls, method, path):
    for headers, code in (({}, "no_key"), ({"X-Trainer-Key": "guess"}, "bad_key"),
                          (cls["Ana"], "no_key")):
        r = client.request(method, path, json={"name": "x"}, headers=headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["code"] == code


TRAINEE_CALLS = [("GET", "/api/me"), ("GET", "/api/exercises/{eid}"),
                 ("POST", "/api/exercises/{eid}/check"), ("GET", "/api/exercises/{eid}/draft"),
                 ("POST", "/api/exercises/{eid}/attempts"),
                 ("GET", "/api/exercises/{eid}/attempts"),
                 ("GET", "/api/exercises/{eid}/engine"), ("POST", "/api/exercises/{eid}/dxf"),
                 ("GET", "/api/attempts/1")]


@pytest.mark.parametrize(("method", "path"), TRAINEE_CALLS)
def test_a_trainees_calls_need_their_token(client, cls, method, path):
    for headers in ({}, {"X-Trainee-Token": "made-up"}, K):
        r = client.request(method, path.format(eid=cls["eid"]), json=body(VALID), headers=headers)
        assert r.status_code == 401
        assert r.json()["code"] == "no_token"


def test_nobody_reads_another_trainees_work_or_another_class(client, cls):
    a = client.post(f"/api/exercises/{cls['eid']}/attempts", json=body(VALID),
                    headers=cls["Ana"]).json()
    r = client.get(f"/api/attempts/{a['id']}", headers=cls["Ben"])
    assert (r.status_code, r.json()["code"]) == (403, "not_yours")
    assert client.get(f"/api/exercises/{cls['eid']}/attempts", headers=cls["Ben"]).json() == []
    other = client.post("/api/trainer/classes", json={"name": "Lisbon"}, headers=K).json()
    zoe = {"X-Trainee-Token": client.post("/api/join", json={"code": other["code"],
                                                             "name": "Zoe"}).json()["token"]}
    for method, path in TRAINEE_CALLS[1:-1]:
        r = client.request(method, path.format(eid=cls["eid"]), json=body(VALID), headers=zoe)
        assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_a_closed_exercise_takes_no_check_or_submit_but_stays_readable(client, cls):
    client.post(f"/api/trainer/exercises/{cls['eid']}", json={"state": "closed"}, headers=K)
    for what in ("check", "attempts"):
        r = client.post(f"/api/exercises/{cls['eid']}/{what}", json=body(VALID),
                        headers=cls["Ana"])
        assert (r.status_code, r.json()["code"]) == (409, "closed")
    assert client.get(f"/api/exercises/{cls['eid']}", headers=cls["Ana"]).status_code == 200
    me = client.get("/api/me", headers=cls["Ana"]).json()
    assert me["exercises"][0]["state"] == "closed"


def test_an_exercise_not_opened_yet_is_not_there_for_trainees(client, cls):
    ex = client.post(f"/api/trainer/classes/{cls['id']}/exercises", json={"level": 1, "seed": 2},
                     headers=K).json()
    r = client.get(f"/api/exercises/{ex['id']}", headers=cls["Ana"])
    assert r.status_code == 404
    assert [x["id"] for x in client.get("/api/me", headers=cls["Ana"]).json()["exercises"]] == [
        cls["eid"]]


def test_a_taken_name_is_refused(client, cls):
    for name in ("Ana", " ana ", "ANA"):
        r = client.post("/api/join", json={"code": cls["code"], "name": name})
        assert (r.status_code, r.json()["code"]) == (409, "taken")
    r = client.post("/api/join", json={"code": cls["code"], "name": "  "})
    assert r.status_code == 400
    r = client.post("/api/join", json={"code": "NOPE99", "name": "Cleo"})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    # The same tablet coming back (it holds Ana's token) is Ana again, with her work.
    again = client.post("/api/join", json={"code": cls["code"], "name": "ana",
                                           "token": cls["Ana"]["X-Trainee-Token"]})
    assert again.status_code == 201
    assert again.json()["trainee"]["name"] == "Ana"


def test_the_engines_layout_only_after_a_submit_or_when_the_trainer_shows_it(client, cls):
    url = f"/api/exercises/{cls['eid']}/engine"
    r = client.get(url, headers=cls["Ana"])
    assert (r.status_code, r.json()["code"]) == (403, "engine_hidden")
    client.post(f"/api/exercises/{cls['eid']}/attempts", json=body(VALID[:1]), headers=cls["Ana"])
    assert client.get(url, headers=cls["Ana"]).json()["format"] == "leathernest-solution"
    assert client.get(url, headers=cls["Ben"]).status_code == 403  # Ben has not submitted
    client.post(f"/api/trainer/exercises/{cls['eid']}", json={"show_engine": True}, headers=K)
    assert client.get(url, headers=cls["Ben"]).status_code == 200


def test_oversized_deep_and_overlong_bodies_are_refused(client, cls):
    url = f"/api/exercises/{cls['eid']}/check"
    huge = b'{"placements": [' + b" " * (MAX_BODY_BYTES + 10) + b"]}"
    r = client.post(url, content=huge, headers={**cls["Ana"], "content-type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (413, "too_large")
    deep = b"[" * 100_000 + b"]" * 100_000  # 100,000 levels
    for path in (url, "/api/join", "/api/trainer/classes"):
        r = client.post(path, content=deep, headers={**cls["Ana"], **K,
                                                     "content-type": "application/json"})
        assert (r.status_code, r.json()["code"]) == (400, "bad_body"), path
    nested = {"placements": [], "x": json.loads("[" * 30 + "]" * 30)}
    assert client.post(url, json=nested, headers=cls["Ana"]).status_code == 400
    many = body([placement("front", k, 10, 10) for k in range(40)])
    r = client.post(url, json=many, headers=cls["Ana"])
    assert r.status_code == 400
    assert "40 placements for an order of 4 pieces" in r.json()["error"]
    moved = body(VALID, moved=[f"front#{k}" for k in range(60)])
    assert client.post(url, json=moved, headers=cls["Ana"]).status_code == 400


BAD_BODIES = [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[]", "JSON object"),
    (b'{"placements": 3}', "placements"),
    (b'{"placements": [3]}', "$.placements[0]"),
    (b'{"placements": [{"item_id": "front"}]}', "translation"),
    (b'{"placements": [{"item_id": "front", "bin_id": "calf", "translation": [1]}]}',
     "$.placements[0]"),
    (b'{"placements": [{"item_id": "front", "bin_id": "calf", "translation": ["a", "b"]}]}',
     "$.placements[0]"),
    (b'{"placements": [{"item_id": "front", "bin_id": "calf", "copy": "x", '
     b'"translation": [1, 2]}]}', "$.placements[0]"),
    (b'{"placements": [{"item_id": "front", "bin_id": "calf", "translation": [1e400, 2]}]}',
     "finite"),
]


@pytest.mark.parametrize(("what", "raw", "says"), [
    (w, raw, says) for w in ("check", "attempts", "solution", "dxf") for raw, says in BAD_BODIES])
def test_bad_bodies_get_400_with_a_one_line_message(client, cls, what, raw, says):
    r = client.post(f"/api/exercises/{cls['eid']}/{what}", content=raw,
                    headers={**cls["Ana"], "content-type": "application/json"})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert says in err
    assert "\n" not in err
    assert "Traceback" not in r.text


def test_an_internal_error_is_a_json_500_without_traceback(client, cls, monkeypatch):
    from leathernest.train import checking

    def broken(*_args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(checking, "move_check", broken)
    r = client.post(f"/api/exercises/{cls['eid']}/check", json=body(VALID), headers=cls["Ana"])
    assert r.status_code == 500
    assert r.json()["error"].startswith("internal error: kaboom")
    assert "Traceback" not in r.text


def test_exercises_of_a_strip_job_or_a_bad_job_are_refused(client, cls):
    strip = {"format": "leathernest-job", "version": 1, "name": "s",
             "pieces": [{"id": "a", "outline": [[0, 0], [9, 0], [9, 9]]}], "strip": {"height": 50}}
    url = f"/api/trainer/classes/{cls['id']}/exercises"
    r = client.post(url, json={"job": strip}, headers=K)
    assert r.status_code == 400
    assert "strip" in r.json()["error"]
    assert client.post(url, json={"job": {"pieces": 3}}, headers=K).status_code == 400
    assert client.post(url, json={"level": 9}, headers=K).status_code == 400
    r = client.post(url, json={"level": 1, "engine_time_s": 1e9}, headers=K)
    assert r.status_code == 400


def test_downloads_a_solution_file_and_cutter_dxf(client, cls, train_job, room, engine_solution):
    url = f"/api/exercises/{cls['eid']}"
    r = client.post(f"{url}/solution", json=body(VALID), headers=cls["Ana"])
    assert r.status_code == 200
    assert 'filename="trainer-test-Ana.json"' in r.headers["content-disposition"]
    assert validate(train_job, solution_from_json(r.json(), "download")) == []
    r = client.post(f"{url}/dxf", json=body(VALID), headers=cls["Ana"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/dxf")
    bad = client.post(f"{url}/dxf", json=body([placement("front", 0, 130, 80), *VALID[1:]]),
                      headers=cls["Ana"])
    assert bad.status_code == 400
    assert "breaks 1 rule" in bad.json()["error"]
    assert client.post(f"{url}/svg", json=body(VALID), headers=cls["Ana"]).status_code == 404


def test_a_draft_is_kept_for_another_tablet(client, cls):
    url = f"/api/exercises/{cls['eid']}"
    for layout in (VALID[:1], VALID[:3]):  # the second within the 5 s a draft waits
        client.post(f"{url}/check", json=body(layout, moved=["front#0"]), headers=cls["Ana"])
    draft = client.get(f"{url}/draft", headers=cls["Ana"]).json()["draft"]
    assert len(draft["layout"]["placements"]) == 3
    assert client.get(f"{url}/draft", headers=cls["Ben"]).json()["draft"] is None


def test_dxf_of_two_hides_is_a_zip(client, cls, room):
    two = json.loads(json.dumps(JOB))
    two["hides"][0]["stock"] = 2
    ex = client.post(f"/api/trainer/classes/{cls['id']}/exercises", json={"job": two},
                     headers=K).json()
    client.post(f"/api/trainer/exercises/{ex['id']}", json={"state": "open"}, headers=K)
    layout = [*VALID[:2], dict(VALID[2], hide_copy=1), dict(VALID[3], hide_copy=1)]
    r = client.post(f"/api/exercises/{ex['id']}/dxf", json=body(layout), headers=cls["Ana"])
    assert r.status_code == 200, r.text
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert len(names) == 2


def test_a_levels_title_and_task_are_in_the_trainees_language(client, cls):
    ex = client.post(f"/api/trainer/classes/{cls['id']}/exercises", json={"level": 2, "seed": 5},
                     headers=K).json()
    assert ex["title"] == "2. Mind the faults (seed 5)"
    client.post(f"/api/trainer/exercises/{ex['id']}", json={"state": "open"}, headers=K)
    mine = client.get("/api/me?lang=es", headers=cls["Ana"]).json()["exercises"]
    assert [x["title"] for x in mine] == ["trainer-test", "2. Cuidado con los defectos (5)"]
    job = client.get(f"/api/exercises/{ex['id']}?lang=pl", headers=cls["Ana"]).json()
    assert job["exercise"]["title"] == "2. Uważaj na wady (5)"
    assert job["practise"][0].startswith("Obejrzyj skórę i najpierw zaznacz wady kredą")
