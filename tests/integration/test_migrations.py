"""The migrations build exactly the schema the code declares, and report it current."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.consumer import VERIFIED_SENDER
from adapters.postgres.migrate import alembic_config, pending_revisions
from adapters.postgres.schema import dead_letters
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


async def test_a_verified_sender_a_dead_letter_claimed_before_revision_0008_is_not_believed(
    engine: AsyncEngine,
) -> None:
    """Before 0008 a dead letter kept every header but the token, so a sender could have put a
    ``Phoenix-Verified-Sender`` of its own there; a re-drive trusts that header now.
    """
    config = alembic_config()

    def to(revision: str) -> Callable[[Connection], None]:
        def move(connection: Connection) -> None:
            config.attributes["connection"] = connection
            if revision == "0007":
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)

        return move

    async with engine.begin() as conn:
        await conn.run_sync(to("0007"))
        await conn.execute(
            insert(dead_letters).values(
                consumer="command-worker",
                subject="phoenix.cmd.experiment.RecordAnalysis",
                headers={"Nats-Msg-Id": "m1", VERIFIED_SENDER: "reactor:analysis"},
                payload=b"{}",
                error="the database was down",
                deliveries=5,
                stream_sequence=1,
            )
        )
        await conn.run_sync(to("head"))
        [headers] = (await conn.execute(select(dead_letters.c.headers))).scalars()
    assert headers == {"Nats-Msg-Id": "m1"}
