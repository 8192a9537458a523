"""Alembic environment: runs on the connection Phoenix hands it, or on PHOENIX_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.postgres.schema import metadata as store_metadata
from projections.tables import metadata as read_metadata

target_metadata: list[MetaData] = [store_metadata, read_metadata]


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("PHOENIX_DATABASE_URL")
    if not url:
        raise SystemExit(
            "set PHOENIX_DATABASE_URL, or run `phoenix migrate`, which knows the embedded one"
        )
    asyncio.run(_run_with_own_engine(url))
