"""Experiment variants: config, deployment, measures and verdict per variant.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiment_variants",
        sa.Column("experiment_id", sa.Uuid(), nullable=False),
        sa.Column("variant", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("variables", postgresql.JSONB(), nullable=False),
        sa.Column("config", sa.Text()),
        sa.Column("config_sha256", sa.Text()),
        sa.Column("deployed_at", sa.DateTime(timezone=True)),
        sa.Column("deployment", postgresql.JSONB()),
        sa.Column("deployment_error", sa.Text()),
        sa.Column("verdict", sa.Text()),
        sa.Column("reasons", postgresql.JSONB()),
        sa.Column("measures", postgresql.JSONB()),
        sa.Column("intervals", postgresql.JSONB()),
        sa.Column("torn_down_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("experiment_id", "variant"),
    )


def downgrade() -> None:
    op.drop_table("experiment_variants")
