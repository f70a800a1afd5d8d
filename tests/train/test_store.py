"""The class server's store: migrations equal the tables, names are unique data, attempts kept.

Run on SQLite always, and on PostgreSQL too when ``LEATHERNEST_TEST_PG_URL`` names a server (the
fixture ``pg_url`` in this file starts a throw-away one when ``initdb`` and ``pg_ctl`` are on the
machine).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from leathernest.train import store as st
from leathernest.train.tables import metadata

PG_BIN = next((p for p in ("/usr/lib/postgresql/15/bin", "/usr/local/bin")
               if shutil.which("pg_ctl", path=p) and shutil.which("initdb", path=p)), None)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    """A PostgreSQL URL: the given one, or a throw-away server on 127.0.0.1 (skipped without)."""
    given = os.environ.get("LEATHERNEST_TEST_PG_URL")
    if given:
        yield given
        return
    if PG_BIN is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    # Outside pytest's own (private) temporary folder: the server's user must reach it.
    data = Path(tempfile.mkdtemp(prefix="leathernest-pg-"))
    data.chmod(0o755)
    port = _free_port()
    as_user = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as nobody
        shutil.chown(data, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    run = lambda *cmd: subprocess.run([*as_user, *cmd], capture_output=True, text=True,  # noqa: E731
                                      timeout=120)
    r = run(f"{PG_BIN}/initdb", "-D", str(data / "db"), "-U", "test", "--auth=trust", "-E", "UTF8")
    if r.returncode:
        pytest.skip(f"initdb failed: {r.stderr.strip()[:200]}")
    r = run(f"{PG_BIN}/pg_ctl", "-D", str(data / "db"), "-w", "-l", str(data / "log"), "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start")
    if r.returncode:
        pytest.skip(f"PostgreSQL did not start: {r.stderr.strip()[:200]}")
    try:
        yield f"postgresql+psycopg://test@127.0.0.1:{port}/postgres"
    finally:
        run(f"{PG_BIN}/pg_ctl", "-D", str(data / "db"), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = st.open_store(str(tmp_path / "class.sqlite"))
    else:
        url = request.getfixturevalue("pg_url")
        schema = f"t{uuid.uuid4().hex[:10]}"  # one schema per test: tests never see each other
        admin = sa.create_engine(url)
        with admin.begin() as c:
            c.execute(sa.text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        sep = "&" if "?" in url else "?"
        s = st.open_store(f"{url}{sep}options=-csearch_path%3D{schema}")
    yield s
    s.close()


def test_the_migrations_create_exactly_the_tables(store):
    with store.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), metadata)
    assert diff == []
    st.migrate(store.engine)  # a second start migrates nothing and breaks nothing


def test_names_are_unique_per_class_up_to_case_and_spaces(store):
    a = store.create_class("Porto, morning")
    b = store.create_class("Porto, afternoon")
    ben, token = store.join(a["id"], "Ben")
    with pytest.raises(st.NameTakenError):
        store.join(a["id"], "  ben ")
    assert store.join(b["id"], "Ben")[0]["id"] != ben["id"]  # another class: another Ben
    again, token2 = store.join(a["id"], "BEN", token)  # the same tablet coming back
    assert again["id"] == ben["id"]
    assert again["name"] == "Ben"
    assert store.trainee_by_token(token) is None  # the old token is spent
    assert store.trainee_by_token(token2)["id"] == ben["id"]
    store.let_in_again(ben["id"])  # lost tablet: the trainer lets him in again
    assert store.join(a["id"], "Ben")[0]["id"] == ben["id"]
    for bad in ("", "   ", "x" * 41, "a\x00b", 3):
        with pytest.raises(st.StoreError):
            store.join(a["id"], bad)


def test_names_that_were_file_names_are_plain_data(store):
    c = store.create_class("c")
    names = ["job", "engine_solution", "../../etc/passwd", "Zoë", "李"]
    ids = {store.join(c["id"], n)[0]["id"] for n in names}
    assert len(ids) == len(names)
    assert sorted(t["name"] for t in store.trainees(c["id"])) == sorted(names)


def test_every_attempt_is_kept_and_never_overwritten(store):
    c = store.create_class("c")
    e = store.add_exercise(c["id"], "ex", "{}", 5.0)
    t, _ = store.join(c["id"], "Ana")
    good = store.add_attempt(t["id"], e["id"], {"placements": [1]}, 4, 4)
    worse = store.add_attempt(t["id"], e["id"], {"placements": []}, 0, 4)
    assert store.attempt(worse)["checked"] is False  # kept before it is validated
    store.set_checked(good, [])
    store.set_checked(worse, [{"kind": "defect"}])
    store.set_score(good, 91.5, [], {"points": 91.5})
    rows = store.attempts(trainee_id=t["id"])
    assert [r["id"] for r in rows] == [good, worse]
    assert store.attempt(good)["points"] == 91.5
    assert store.attempt(worse)["valid"] is False
    assert store.unscored(e["id"]) == [worse]


def test_counts_are_bounded(store, monkeypatch):
    c = store.create_class("c")
    monkeypatch.setattr(st, "MAX_TRAINEES", 2)
    store.join(c["id"], "a")
    store.join(c["id"], "b")
    with pytest.raises(st.LimitError):
        store.join(c["id"], "c")
    monkeypatch.setattr(st, "MAX_EXERCISES", 1)
    store.add_exercise(c["id"], "one", "{}", 1.0)
    with pytest.raises(st.LimitError):
        store.add_exercise(c["id"], "two", "{}", 1.0)


def test_a_class_code_is_found_whatever_the_case(store):
    c = store.create_class("c")
    assert store.class_by_code(c["code"].lower())["id"] == c["id"]
    assert store.class_by_code(" ".join(c["code"]))["id"] == c["id"]
    with pytest.raises(st.NotFoundError):
        store.class_by_code("NOCODE")


def test_every_query_of_a_lesson_runs_on_both_databases(store):
    """Drafts, engine layouts, states, let-in and the live view, on SQLite and PostgreSQL."""
    from leathernest.train.classapp import live_view

    c = store.create_class("Ubrique")
    e = store.add_exercise(c["id"], "ex", "{}", 5.0, level=1, seed=3)
    assert store.engine_pending() == [e["id"]]
    store.set_engine(e["id"], "running")
    store.set_engine(e["id"], "ready", solution_json='{"placements": []}')
    assert store.engine_pending() == []
    assert store.engine_json(e["id"]) == '{"placements": []}'
    assert store.set_state(e["id"], "open")["opened_at"] is not None
    assert store.set_show_engine(e["id"], True)["show_engine"] is True
    with pytest.raises(st.StoreError):
        store.set_state(e["id"], "gone")
    ana, _ = store.join(c["id"], "Ana")
    store.save_draft(ana["id"], e["id"], {"placements": [1]}, 1, 4, 0)
    store.save_draft(ana["id"], e["id"], {"placements": [1, 2]}, 2, 4, 1)  # replaced
    assert store.draft(ana["id"], e["id"])["layout"] == {"placements": [1, 2]}
    (d,) = store.drafts(c["id"])
    assert (d["placed"], d["broken"]) == (2, 1)
    aid = store.add_attempt(ana["id"], e["id"], {"placements": [1, 2]}, 2, 4)
    store.set_checked(aid, [{"kind": "defect"}, {"kind": "missing"}])
    assert [a["id"] for a in store.attempts(class_id=c["id"])] == [aid]
    store.let_in_again(ana["id"])
    view = live_view(store, c["id"], "ro")
    (row,) = view["trainees"]
    assert row["working_on"]["placed"] == 2
    assert row["attempts"][e["id"]]["last"]["rules_broken"] == 1
    assert [m["key"] for m in view["mistakes"][e["id"]]] == ["defect", "missing"]
    assert view["mistakes"][e["id"]][0]["text"].startswith("defecte neocolite")
