"""Schema migrations, run by Phoenix itself: upgrade to head, and tell whether it is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import migrations


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (serialised: concurrent callers wait)."""
    config = alembic_config()

    def _upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as conn:
        await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7068)")
        await conn.run_sync(_upgrade)


async def pending_revisions(engine: AsyncEngine) -> list[str]:
    """The revisions not yet applied; empty when the schema is current."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()

    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        current = await conn.run_sync(_current)
    if current == head:
        return []
    return [r.revision for r in script.iterate_revisions(head, current)]
