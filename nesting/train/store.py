"""The class server's store: every class, exercise, trainee and attempt in a real database.

SQLite in one file by default (no set-up; WAL journal, so a check's draft write never blocks a
reader, and a committed attempt survives the server being killed), PostgreSQL by URL when a school
runs one central server (``postgresql+psycopg://user@host/db``): the same SQLAlchemy Core code
for both. :func:`open_store` migrates the schema to the newest revision with Alembic before
anything else runs.

Rules kept here, whatever calls the store:

- trainee names are data, never file names, and unique per class up to case and spaces
  (:func:`name_key`); a taken name is :class:`NameTakenError`;
- an attempt is inserted, never updated but for its score (filled once the engine's layout is
  there), never deleted;
- counts are bounded (:data:`MAX_CLASSES`, :data:`MAX_EXERCISES`, :data:`MAX_TRAINEES`,
  :data:`MAX_ATTEMPTS`): a request can never make the database grow without end;
- access tokens are stored as their SHA-256 only.

No web code, no geometry: :mod:`leathernest.train.classapp` calls these functions (in threads).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from leathernest.errors import InputError
from leathernest.train.tables import (
    NAME_CHARS,
    TITLE_CHARS,
    attempts,
    classes,
    drafts,
    exercises,
    settings,
    trainees,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MAX_CLASSES = 500
MAX_EXERCISES = 60  # per class
MAX_TRAINEES = 200  # per class
MAX_ATTEMPTS = 100  # per trainee and exercise
# Class codes: letters and digits that cannot be mistaken for each other when read aloud or off
# a board (no O/0, I/1/L), 6 of them: 29^6, about 600 million codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
STATES = ("ready", "open", "closed")


class StoreError(InputError):
    """A request the store refuses (the message says why; the API maps it to a status)."""

    status = 400


class NotFoundError(StoreError):
    """No such class, exercise, trainee or attempt (or not this caller's)."""

    status = 404


class NameTakenError(StoreError):
    """Another trainee of the class has this name."""

    status = 409


class LimitError(StoreError):
    """A count limit is reached."""

    status = 409


def now() -> datetime:
    """The time stamps' clock: UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(t: datetime | None) -> str | None:
    """A stored time as ISO 8601 UTC (SQLite gives back naive datetimes: they are UTC)."""
    if t is None:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).isoformat().replace("+00:00", "Z")


def token_hash(token: str) -> str:
    """What is stored of an access token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_name(raw: object, what: str = "name", limit: int = NAME_CHARS) -> str:
    """A name as typed, made canonical (NFC, spaces collapsed); refused when empty or too long."""
    if not isinstance(raw, str):
        raise StoreError(f"the {what} must be text")
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise StoreError(f"the {what} is empty", hint=f"type a {what}")
    if len(name) > limit:
        raise StoreError(f"the {what} is longer than {limit} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise StoreError(f"the {what} has control characters")
    return name


def name_key(name: str) -> str:
    """The form two names are compared in: case-folded, so "Ben" and " ben " are one name."""
    return clean_name(name).casefold()[:NAME_CHARS]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable when the process is killed
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def database_url(db: str) -> str:
    """A URL from ``--db``: a URL as it is, anything else a path of an SQLite file."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for the URL (SQLite pragmas set on every connection)."""
    try:
        engine = sa.create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    except (sa.exc.ArgumentError, ImportError, ModuleNotFoundError) as exc:
        raise InputError(f"cannot use the database {url!r}: {exc}",
                         hint="pass a file name, or postgresql+psycopg://user@host/db") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it in an empty database)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(db: str) -> Store:
    """The store of a database (``--db``): migrated, ready."""
    url = database_url(db)
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        if not folder.is_dir():
            raise InputError(f"no folder {folder} for the database", hint="create it first")
    engine = make_engine(url)
    try:
        migrate(engine)
    except sa.exc.OperationalError as exc:
        raise InputError(f"cannot open the database {db}: {exc.orig}",
                         hint="check the file or the server's address and rights") from None
    return Store(engine)


def _row(r) -> dict:
    out = dict(r._mapping)
    for k, v in out.items():
        if isinstance(v, datetime):
            out[k] = iso(v)
    return out


class Store:
    """Every read and write of the class server (module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # -- settings ---------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self.engine.connect() as c:
            return c.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str) -> None:
        """Store (or replace) a setting."""
        with self.engine.begin() as c:
            c.execute(sa.delete(settings).where(settings.c.key == key))
            c.execute(sa.insert(settings).values(key=key, value=value))

    def trainer_key(self, given: str | None) -> str:
        """The trainer's key: the given one (then kept), else the stored one, else a new one."""
        if given:
            self.set_setting("trainer_key", given)
            return given
        key = self.setting("trainer_key")
        if key is None:
            key = secrets.token_urlsafe(12)
            self.set_setting("trainer_key", key)
        return key

    # -- classes ----------------------------------------------------------------------------------

    def create_class(self, name: object) -> dict:
        """A new class with a fresh join code."""
        title = clean_name(name, "class name", TITLE_CHARS)
        with self.engine.begin() as c:
            if c.execute(sa.select(sa.func.count()).select_from(classes)).scalar() >= MAX_CLASSES:
                raise LimitError(f"this server has {MAX_CLASSES} classes already")
            for _ in range(20):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                taken = c.execute(sa.select(classes.c.id).where(classes.c.code == code)).first()
                if taken is None:
                    break
            cid = c.execute(sa.insert(classes).values(code=code, name=title, created_at=now())
                            ).inserted_primary_key[0]
        return self.class_(cid)

    def classes(self) -> list[dict]:
        """Every class, newest first."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(classes).order_by(classes.c.id.desc())).all()
        return [_row(r) for r in rows]

    def class_(self, cid: int) -> dict:
        """One class by id."""
        with self.engine.connect() as c:
            r = c.execute(sa.select(classes).where(classes.c.id == cid)).first()
        if r is None:
            raise NotFoundError(f"no class {cid}")
        return _row(r)

    def class_by_code(self, code: object) -> dict:
        """The class a trainee joins with this code (case and spaces ignored)."""
        text = "".join(str(code).split()).upper() if isinstance(code, str) else ""
        with self.engine.connect() as c:
            r = c.execute(sa.select(classes).where(classes.c.code == text[:12])).first()
        if r is None:
            raise NotFoundError("no class has this code", hint="check the code on the board")
        return _row(r)

    # -- exercises --------------------------------------------------------------------------------

    def add_exercise(self, class_id: int, title: object, job_json: str, engine_time_s: float,
                     level: int | None = None, seed: int | None = None) -> dict:
        """A new exercise (state ``ready``: trainees see it once opened)."""
        text = clean_name(title, "title", TITLE_CHARS)
        self.class_(class_id)
        with self.engine.begin() as c:
            n = c.execute(sa.select(sa.func.count()).select_from(exercises)
                          .where(exercises.c.class_id == class_id)).scalar()
            if n >= MAX_EXERCISES:
                raise LimitError(f"this class has {MAX_EXERCISES} exercises already")
            eid = c.execute(sa.insert(exercises).values(
                class_id=class_id, title=text, job_json=job_json, level=level, seed=seed,
                state="ready", show_engine=False, engine_time_s=engine_time_s,
                engine_state="waiting", created_at=now())).inserted_primary_key[0]
        return self.exercise(eid)

    def exercise(self, eid: int, with_job: bool = False) -> dict:
        """One exercise (without its job text unless asked)."""
        cols = [c for c in exercises.c if with_job or c.name not in ("job_json", "engine_json")]
        with self.engine.connect() as c:
            r = c.execute(sa.select(*cols).where(exercises.c.id == eid)).first()
        if r is None:
            raise NotFoundError(f"no exercise {eid}")
        return _row(r)

    def exercises(self, class_id: int) -> list[dict]:
        """A class's exercises, oldest first, without their job text."""
        cols = [c for c in exercises.c if c.name not in ("job_json", "engine_json")]
        with self.engine.connect() as c:
            rows = c.execute(sa.select(*cols).where(exercises.c.class_id == class_id)
                             .order_by(exercises.c.id)).all()
        return [_row(r) for r in rows]

    def set_state(self, eid: int, state: object) -> dict:
        """Open or close an exercise (closing stops new checks and submits)."""
        if state not in STATES:
            raise StoreError(f"state must be one of {', '.join(STATES)}")
        self.exercise(eid)
        values: dict = {"state": state}
        if state == "open":
            values["opened_at"] = now()
        if state == "closed":
            values["closed_at"] = now()
        with self.engine.begin() as c:
            c.execute(sa.update(exercises).where(exercises.c.id == eid).values(**values))
        return self.exercise(eid)

    def set_show_engine(self, eid: int, show: bool) -> dict:
        """Whether trainees may see the engine's layout before they submit."""
        self.exercise(eid)
        with self.engine.begin() as c:
            c.execute(sa.update(exercises).where(exercises.c.id == eid)
                      .values(show_engine=bool(show)))
        return self.exercise(eid)

    def engine_pending(self) -> list[int]:
        """Exercises whose engine layout is still to be made (after a restart too)."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(exercises.c.id).where(
                exercises.c.engine_state.in_(("waiting", "running"))).order_by(exercises.c.id))
            return [r[0] for r in rows]

    def set_engine(self, eid: int, state: str, solution_json: str | None = None,
                   error: str | None = None) -> None:
        """Record the engine's progress: running, ready (with its layout) or failed."""
        with self.engine.begin() as c:
            c.execute(sa.update(exercises).where(exercises.c.id == eid).values(
                engine_state=state, engine_json=solution_json, engine_error=error))

    def job_json(self, eid: int) -> str:
        """An exercise's job (JSON text)."""
        with self.engine.connect() as c:
            text = c.execute(sa.select(exercises.c.job_json).where(exercises.c.id == eid)).scalar()
        if text is None:
            raise NotFoundError(f"no exercise {eid}")
        return text

    def engine_json(self, eid: int) -> str | None:
        """An exercise's engine layout (solution JSON text), None until it is made."""
        with self.engine.connect() as c:
            return c.execute(sa.select(exercises.c.engine_json)
                             .where(exercises.c.id == eid)).scalar()

    # -- trainees ---------------------------------------------------------------------------------

    def join(self, class_id: int, name: object, token: str | None = None) -> tuple[dict, str]:
        """A trainee joins (or comes back): ``(trainee, token)``.

        A new name gets a new trainee and token. A taken name is refused unless the caller holds
        that trainee's token (a reload, the same tablet) or the trainer let them in again
        (:meth:`let_in_again`: their token was cleared); then a new token is issued and their
        work stays theirs.
        """
        clean = clean_name(name)
        key = name_key(clean)
        fresh = secrets.token_urlsafe(24)
        with self.engine.begin() as c:
            r = c.execute(sa.select(trainees).where(trainees.c.class_id == class_id,
                                                    trainees.c.name_key == key)).first()
            if r is not None:
                held = token is not None and r.token_hash == token_hash(token)
                if not held and r.token_hash is not None:
                    raise NameTakenError(f"the name {clean!r} is taken in this class",
                                         hint="add your surname or initial, or ask the trainer")
                c.execute(sa.update(trainees).where(trainees.c.id == r.id)
                          .values(token_hash=token_hash(fresh), last_seen=now()))
                tid = r.id
            else:
                n = c.execute(sa.select(sa.func.count()).select_from(trainees)
                              .where(trainees.c.class_id == class_id)).scalar()
                if n >= MAX_TRAINEES:
                    raise LimitError(f"this class has {MAX_TRAINEES} trainees already")
                tid = c.execute(sa.insert(trainees).values(
                    class_id=class_id, name=clean, name_key=key, token_hash=token_hash(fresh),
                    created_at=now(), last_seen=now())).inserted_primary_key[0]
        return self.trainee(tid), fresh

    def trainee(self, tid: int) -> dict:
        """One trainee by id (no token hash)."""
        cols = [c for c in trainees.c if c.name != "token_hash"]
        with self.engine.connect() as c:
            r = c.execute(sa.select(*cols).where(trainees.c.id == tid)).first()
        if r is None:
            raise NotFoundError(f"no trainee {tid}")
        return _row(r)

    def trainee_by_token(self, token: str) -> dict | None:
        """The trainee holding this token, or None."""
        cols = [c for c in trainees.c if c.name != "token_hash"]
        with self.engine.connect() as c:
            r = c.execute(sa.select(*cols).where(trainees.c.token_hash == token_hash(token))
                          ).first()
        return None if r is None else _row(r)

    def trainees(self, class_id: int) -> list[dict]:
        """A class's trainees by name."""
        cols = [c for c in trainees.c if c.name != "token_hash"]
        with self.engine.connect() as c:
            rows = c.execute(sa.select(*cols).where(trainees.c.class_id == class_id)
                             .order_by(trainees.c.name_key)).all()
        return [_row(r) for r in rows]

    def let_in_again(self, tid: int) -> None:
        """Clear a trainee's token: the next join with their name gets their work (lost tablet)."""
        self.trainee(tid)
        with self.engine.begin() as c:
            c.execute(sa.update(trainees).where(trainees.c.id == tid).values(token_hash=None))

    # -- drafts and attempts ----------------------------------------------------------------------

    def save_draft(self, tid: int, eid: int, layout: dict, placed: int, total: int,
                   broken: int) -> None:
        """Replace the trainee's working layout of the exercise."""
        values = {"layout_json": json.dumps(layout, separators=(",", ":")), "placed": placed,
                  "total": total, "broken": broken, "updated_at": now()}
        with self.engine.begin() as c:
            n = c.execute(sa.update(drafts).where(drafts.c.trainee_id == tid,
                                                  drafts.c.exercise_id == eid).values(**values))
            if n.rowcount == 0:
                c.execute(sa.insert(drafts).values(trainee_id=tid, exercise_id=eid, **values))
            c.execute(sa.update(trainees).where(trainees.c.id == tid).values(last_seen=now()))

    def draft(self, tid: int, eid: int) -> dict | None:
        """The trainee's working layout of the exercise, or None."""
        with self.engine.connect() as c:
            r = c.execute(sa.select(drafts).where(drafts.c.trainee_id == tid,
                                                  drafts.c.exercise_id == eid)).first()
        if r is None:
            return None
        out = _row(r)
        out["layout"] = json.loads(out.pop("layout_json"))
        return out

    def drafts(self, class_id: int) -> list[dict]:
        """Every draft of a class's exercises, without layouts (the live view)."""
        cols = [c for c in drafts.c if c.name != "layout_json"]
        with self.engine.connect() as c:
            rows = c.execute(sa.select(*cols).join(exercises)
                             .where(exercises.c.class_id == class_id)).all()
        return [_row(r) for r in rows]

    def add_attempt(self, tid: int, eid: int, layout: dict, placed: int, total: int) -> int:
        """Keep a submit at once (committed before the answer goes out); its id.

        Its validation and score follow (:meth:`set_checked`, :meth:`set_score`).
        """
        with self.engine.begin() as c:
            n = c.execute(sa.select(sa.func.count()).select_from(attempts).where(
                attempts.c.trainee_id == tid, attempts.c.exercise_id == eid)).scalar()
            if n >= MAX_ATTEMPTS:
                raise LimitError(f"{MAX_ATTEMPTS} attempts at this exercise already")
            return c.execute(sa.insert(attempts).values(
                trainee_id=tid, exercise_id=eid, submitted_at=now(),
                layout_json=json.dumps(layout, separators=(",", ":")), placed=placed,
                total=total)).inserted_primary_key[0]

    def set_checked(self, aid: int, violations: list[dict]) -> None:
        """An attempt's whole validation: the rules it breaks (``missing`` for the tray)."""
        broken = sum(v["kind"] != "missing" for v in violations)
        with self.engine.begin() as c:
            c.execute(sa.update(attempts).where(attempts.c.id == aid).values(
                valid=not violations, rules_broken=broken,
                mistakes=",".join(sorted({v["kind"] for v in violations}))[:400],
                violations_json=json.dumps(violations, separators=(",", ":"))))

    def set_score(self, aid: int, points: float | None, mistakes: list[str],
                  score: dict) -> None:
        """An attempt's score against the engine's layout."""
        with self.engine.begin() as c:
            c.execute(sa.update(attempts).where(attempts.c.id == aid).values(
                points=points, mistakes=",".join(mistakes)[:400],
                score_json=json.dumps(score, separators=(",", ":"))))

    def attempt(self, aid: int, full: bool = True) -> dict:
        """One attempt; ``full`` adds its layout, violations and score."""
        with self.engine.connect() as c:
            r = c.execute(sa.select(attempts).where(attempts.c.id == aid)).first()
        if r is None:
            raise NotFoundError(f"no attempt {aid}")
        return _attempt(r, full)

    def attempts(self, *, trainee_id: int | None = None, exercise_id: int | None = None,
                 class_id: int | None = None) -> list[dict]:
        """Attempts (summaries, oldest first) of a trainee, an exercise or a class."""
        q = sa.select(attempts)
        if trainee_id is not None:
            q = q.where(attempts.c.trainee_id == trainee_id)
        if exercise_id is not None:
            q = q.where(attempts.c.exercise_id == exercise_id)
        if class_id is not None:
            q = q.join(exercises).where(exercises.c.class_id == class_id)
        with self.engine.connect() as c:
            rows = c.execute(q.order_by(attempts.c.id)).all()
        return [_attempt(r, False) for r in rows]

    def unscored(self, eid: int | None = None) -> list[int]:
        """Attempts (at the exercise) still to be validated or scored, oldest first."""
        q = sa.select(attempts.c.id).where(attempts.c.score_json.is_(None))
        if eid is not None:
            q = q.where(attempts.c.exercise_id == eid)
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(q.order_by(attempts.c.id))]


def _attempt(r, full: bool) -> dict:
    out = _row(r)
    out["mistakes"] = [m for m in (out.get("mistakes") or "").split(",") if m]
    layout, violations, score = (out.pop("layout_json"), out.pop("violations_json"),
                                 out.pop("score_json"))
    out["scored"] = score is not None
    out["checked"] = violations is not None
    if full:
        out["layout"] = json.loads(layout)
        out["violations"] = None if violations is None else json.loads(violations)
        out["score"] = None if score is None else json.loads(score)
    return out
