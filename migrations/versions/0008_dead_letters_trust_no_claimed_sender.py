"""Dead letters recorded before this revision: a ``Phoenix-Verified-Sender`` header in them may
have come from the sender itself (before the command worker named the verified sender, every
header but the token was kept), and a re-drive now trusts it to give a handler's command the
service's token; it is removed. A genuine one goes too: that letter is re-driven with the admin's
token and refused, which fails safe.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

HEADER = "Phoenix-Verified-Sender"  # as in adapters/nats/consumer.py, fixed as this revision saw it


def upgrade() -> None:
    op.execute(f"UPDATE dead_letters SET headers = headers - '{HEADER}' WHERE headers ? '{HEADER}'")


def downgrade() -> None:
    """Nothing to restore: what was removed was never to be believed."""
