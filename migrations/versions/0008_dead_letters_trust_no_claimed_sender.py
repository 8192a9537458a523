"""Dead letters recorded before the command worker named a command's verified sender: a
``Phoenix-Verified-Sender`` header in them came from the sender itself, and is removed (a re-drive
trusts that header to give a handler's command the service's token).

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
