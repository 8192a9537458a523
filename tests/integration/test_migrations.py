"""The migrations build exactly the schema the code declares, and report it current."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.migrate import pending_revisions
from adapters.postgres.schema import metadata as store_metadata
from projections.tables import metadata as read_metadata


async def test_the_migrated_schema_matches_the_declared_tables(engine: AsyncEngine) -> None:
    declared = MetaData()
    for table in (*store_metadata.tables.values(), *read_metadata.tables.values()):
        table.to_metadata(declared)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, declared))

    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_a_migrated_database_has_no_pending_revisions(engine: AsyncEngine) -> None:
    assert await pending_revisions(engine) == []
