"""Measured intervals: each variant's per-interval aggregates, persisted as the intervals close.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measured_intervals",
        sa.Column("experiment_id", sa.Uuid(), nullable=False),
        sa.Column("variant", sa.Text(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("series", sa.LargeBinary(), nullable=False),
        sa.Column("datapoints", sa.BigInteger(), nullable=False),
        sa.Column("critical", postgresql.JSONB(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("experiment_id", "variant", "index"),
    )


def downgrade() -> None:
    op.drop_table("measured_intervals")
