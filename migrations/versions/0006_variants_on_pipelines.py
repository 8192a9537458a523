"""Variants on registered pipelines (the pinned version and its sha256 beside the template),
recommended pipeline versions (what they were recommended from and predicted to cut), and
promoted ones (which experiment promoted them), and what checked each version.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("experiment_variants", "template", nullable=True)
    op.add_column("experiment_variants", sa.Column("pipeline", sa.Text()))
    op.add_column("experiment_variants", sa.Column("pipeline_sha256", sa.Text()))
    op.create_index("experiment_variants_by_pipeline", "experiment_variants", ["pipeline"])
    op.add_column("pipeline_versions", sa.Column("recommended", postgresql.JSONB()))
    op.add_column("pipeline_versions", sa.Column("promoted_from", postgresql.JSONB()))
    op.add_column("pipeline_versions", sa.Column("validated_by", postgresql.JSONB()))
    op.add_column("pipelines", sa.Column("promoted_version", sa.Integer()))


def downgrade() -> None:
    op.drop_column("pipelines", "promoted_version")
    op.drop_column("pipeline_versions", "validated_by")
    op.drop_column("pipeline_versions", "promoted_from")
    op.drop_column("pipeline_versions", "recommended")
    op.drop_index("experiment_variants_by_pipeline", "experiment_variants")
    op.drop_column("experiment_variants", "pipeline_sha256")
    op.drop_column("experiment_variants", "pipeline")
    op.execute("DELETE FROM experiment_variants WHERE template IS NULL")
    op.alter_column("experiment_variants", "template", nullable=False)
