"""A class server killed mid-class (SIGKILL) and started again has every attempt made before.

The server is the command itself, in a subprocess, on SQLite; attempts are submitted over HTTP
and each answer means the attempt is committed. Nothing here waits on the clock.
"""

import signal

from conftest import VALID, Server, class_with_exercise, placement


def test_every_attempt_survives_a_sigkill_and_the_class_goes_on(tmp_path):
    db = tmp_path / "class.sqlite"
    server = Server(db)
    cls, eid = class_with_exercise(server, engine_time_s=600)  # the engine is still working
    tokens, made = {}, []
    layouts = [VALID, VALID[:2], [placement("front", 0, 130, 80), *VALID[1:]]]
    for name in ("Ana", "Ben", "Cleo"):
        status, joined = server.call("POST", "/api/join", {"code": cls["code"], "name": name},
                                     key=None)
        assert status == 201
        tokens[name] = joined["token"]
        for layout in layouts:
            status, a = server.call("POST", f"/api/exercises/{eid}/attempts",
                                    {"placements": layout}, key=None, token=tokens[name])
            assert status in (201, 202), a
            made.append((a["id"], name, a["placed"], a["valid"]))
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL

    again = Server(db)
    try:
        _, live = again.call("GET", f"/api/trainer/classes/{cls['id']}/live")
        assert live["attempts"] == len(made) == 9
        names = {t["id"]: t["name"] for t in live["trainees"]}
        for aid, name, placed, valid in made:
            status, a = again.call("GET", f"/api/trainer/attempts/{aid}")
            assert status == 200
            assert (names[a["trainee_id"]], a["placed"], a["valid"]) == (name, placed, valid)
        # The trainees go on with their tokens; the engine's search started again.
        status, me = again.call("GET", "/api/me", key=None, token=tokens["Ana"])
        assert (status, me["exercises"][0]["attempts"]) == (200, 3)
        _, ex = again.call("GET", f"/api/trainer/exercises/{eid}")
        assert ex["engine_state"] == "running"
    finally:
        assert again.stop() in (0, -signal.SIGINT)
