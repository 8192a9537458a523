"""Dead letters keep the message's raw bytes (bytea): any body can be set aside, NULs and all.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "dead_letters",
        "payload",
        type_=sa.LargeBinary(),
        postgresql_using="convert_to(payload, 'UTF8')",
    )


def downgrade() -> None:
    op.alter_column(
        "dead_letters",
        "payload",
        type_=sa.Text(),
        postgresql_using="convert_from(payload, 'UTF8')",
    )
