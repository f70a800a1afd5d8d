"""The class server's tables (SQLAlchemy Core): classes, exercises, trainees, attempts, drafts.

One schema for SQLite (the default, one file) and PostgreSQL (a school's central server). The
migrations in ``migrations/versions`` create exactly these tables; a test compares them with this
metadata, so a change here without a migration fails.

- ``classes``: a class and its join code (what trainees type);
- ``exercises``: a job given to a class (``job_json``), its state (``ready`` -> ``open`` ->
  ``closed``), the engine's layout once computed (``engine_json``), and whether the trainer shows
  it before a submit (``show_engine``);
- ``trainees``: a name, unique per class by ``name_key`` (case- and space-folded), and the hash of
  the access token the trainee's browser holds (the token itself is never stored);
- ``attempts``: every submit, time-stamped, kept the moment it arrives and never overwritten;
  ``valid``, ``rules_broken`` and ``violations_json`` are filled once the whole layout is
  validated (NULL until then), ``score_json`` once it is scored against the engine's layout;
- ``drafts``: the layout a trainee is working on (one row per trainee and exercise, replaced on
  every check): the trainer's live view, and a restore on another tablet;
- ``settings``: the trainer's key.

Imports SQLAlchemy only.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

NAME_CHARS = 40  # longest trainee name (characters)
TITLE_CHARS = 120  # longest class name or exercise title

classes = Table(
    "classes", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("name", String(TITLE_CHARS), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

exercises = Table(
    "exercises", metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id"), nullable=False, index=True),
    Column("title", String(TITLE_CHARS), nullable=False),
    Column("job_json", Text, nullable=False),
    Column("level", Integer),
    Column("seed", Integer),
    Column("state", String(10), nullable=False),
    Column("show_engine", Boolean, nullable=False),
    Column("engine_time_s", Float, nullable=False),
    Column("engine_state", String(10), nullable=False),
    Column("engine_json", Text),
    Column("engine_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
)

trainees = Table(
    "trainees", metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", Integer, ForeignKey("classes.id"), nullable=False),
    Column("name", String(NAME_CHARS), nullable=False),
    Column("name_key", String(NAME_CHARS), nullable=False),
    Column("token_hash", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("class_id", "name_key", name="uq_trainee_name"),
)
Index("ix_trainees_token_hash", trainees.c.token_hash, unique=True)

attempts = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("trainee_id", Integer, ForeignKey("trainees.id"), nullable=False, index=True),
    Column("exercise_id", Integer, ForeignKey("exercises.id"), nullable=False, index=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("layout_json", Text, nullable=False),
    Column("placed", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("valid", Boolean),
    Column("rules_broken", Integer),
    Column("violations_json", Text),
    Column("points", Float),
    Column("mistakes", String(400)),
    Column("score_json", Text),
)

drafts = Table(
    "drafts", metadata,
    Column("trainee_id", Integer, ForeignKey("trainees.id"), primary_key=True),
    Column("exercise_id", Integer, ForeignKey("exercises.id"), primary_key=True),
    Column("layout_json", Text, nullable=False),
    Column("placed", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("broken", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

settings = Table(
    "settings", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)
