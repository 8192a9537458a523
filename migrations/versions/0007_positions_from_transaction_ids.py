"""Positions drawn from the appending transaction's id (ADR 0013): no schema change, a check
that every stored position lies below the ones new appends will take.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ORDINAL_BITS = 12  # as in adapters/postgres/event_store.py, fixed here as this revision saw it


def upgrade() -> None:
    conn = op.get_bind()
    highest, first_new = conn.execute(
        sa.text(
            "SELECT coalesce(max(position), 0),"
            f" pg_current_xact_id()::text::bigint << {ORDINAL_BITS} FROM events"
        )
    ).one()
    if highest >= first_new:
        raise RuntimeError(
            f"the event log's highest position ({highest}) is not below the first position new"
            f" appends would take ({first_new}); readers would misorder them, so this database"
            " cannot be upgraded in place."
        )


def downgrade() -> None:
    """Revision 0006's code draws positions from the sequence: move it past every stored one."""
    op.execute(
        "SELECT setval(pg_get_serial_sequence('events', 'position'),"
        " greatest((SELECT max(position) FROM events), 1))"
    )
