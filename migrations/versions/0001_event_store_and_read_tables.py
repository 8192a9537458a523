"""Event store, handled commands, checkpoints, reactor effects, dead letters and first read tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

now = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("stream_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.UniqueConstraint("stream_id", "version", name="events_stream_version_key"),
    )
    op.create_table(
        "handled_commands",
        sa.Column("command_id", sa.Uuid(), primary_key=True),
        sa.Column("command_type", sa.Text(), nullable=False),
        sa.Column("stream_id", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
    )
    op.create_table(
        "checkpoints",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
    )
    op.create_table(
        "reactor_effects",
        sa.Column("reactor", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.PrimaryKeyConstraint("reactor", "event_id"),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text()),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("stream_sequence", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("redriven_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("consumer", "stream_sequence", name="dead_letters_once"),
    )
    op.create_index(
        "dead_letters_open",
        "dead_letters",
        ["consumer"],
        postgresql_where=sa.text("redriven_at IS NULL"),
    )
    op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("spec", postgresql.JSONB(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("window_ends_at", sa.DateTime(timezone=True)),
        sa.Column("winner", sa.Text()),
        sa.Column("results", postgresql.JSONB()),
        sa.Column("promoted_variant", sa.Text()),
        sa.Column("promotion_commit", sa.Text()),
    )
    op.create_index("experiments_phase", "experiments", ["phase", "created_at"])
    op.create_table(
        "experiment_phases",
        sa.Column("experiment_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("experiment_id", "version"),
    )
    op.create_table(
        "command_outcomes",
        sa.Column("command_id", sa.Uuid(), primary_key=True),
        sa.Column("command_type", sa.Text()),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("stream_id", sa.Text()),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("first_position", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("position", sa.BigInteger(), primary_key=True),
        sa.Column("stream_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("command_id", sa.Uuid()),
        sa.Column("correlation_id", sa.Uuid()),
        sa.Column("causation_id", sa.Uuid()),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
    )
    op.create_index("audit_log_stream", "audit_log", ["stream_id", "version"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "command_outcomes",
        "experiment_phases",
        "experiments",
        "dead_letters",
        "reactor_effects",
        "checkpoints",
        "handled_commands",
        "events",
    ):
        op.drop_table(table)
