"""The class server's first schema: classes, exercises, trainees, attempts, drafts, settings.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id"), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("job_json", sa.Text, nullable=False),
        sa.Column("level", sa.Integer),
        sa.Column("seed", sa.Integer),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("show_engine", sa.Boolean, nullable=False),
        sa.Column("engine_time_s", sa.Float, nullable=False),
        sa.Column("engine_state", sa.String(10), nullable=False),
        sa.Column("engine_json", sa.Text),
        sa.Column("engine_error", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("opened_at", TZ),
        sa.Column("closed_at", TZ),
    )
    op.create_index("ix_exercises_class_id", "exercises", ["class_id"])
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id"), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("name_key", sa.String(40), nullable=False),
        sa.Column("token_hash", sa.String(64)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen", TZ, nullable=False),
        sa.UniqueConstraint("class_id", "name_key", name="uq_trainee_name"),
    )
    op.create_index("ix_trainees_token_hash", "trainees", ["token_hash"], unique=True)
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id"), nullable=False),
        sa.Column("exercise_id", sa.Integer, sa.ForeignKey("exercises.id"), nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("layout_json", sa.Text, nullable=False),
        sa.Column("placed", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("valid", sa.Boolean),
        sa.Column("rules_broken", sa.Integer),
        sa.Column("violations_json", sa.Text),
        sa.Column("points", sa.Float),
        sa.Column("mistakes", sa.String(400)),
        sa.Column("score_json", sa.Text),
    )
    op.create_index("ix_attempts_trainee_id", "attempts", ["trainee_id"])
    op.create_index("ix_attempts_exercise_id", "attempts", ["exercise_id"])
    op.create_table(
        "drafts",
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id"), primary_key=True),
        sa.Column("exercise_id", sa.Integer, sa.ForeignKey("exercises.id"), primary_key=True),
        sa.Column("layout_json", sa.Text, nullable=False),
        sa.Column("placed", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("broken", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in ("settings", "drafts", "attempts", "trainees", "exercises", "classes"):
        op.drop_table(table)
