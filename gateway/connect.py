"""Phoenix's database for operator commands, wherever a running `phoenix up` (or the environment)
says it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.embedded.postgres_server import EmbeddedPostgres
from adapters.postgres.engine import create_engine
from adapters.settings import Settings, async_database_url
from gateway.runtime_file import Endpoints, discover

__all__ = ["Endpoints", "database", "discover"]


@contextlib.asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on Phoenix's database, for the operator commands that need it directly
    (``migrate``, ``projections rebuild``); starts the embedded PostgreSQL if nothing runs.
    """
    url = discover(settings).database_url
    embedded: EmbeddedPostgres | None = None
    if url is None:
        embedded = EmbeddedPostgres(settings.data_dir.resolve() / "postgres")
        embedded.start()
        url = embedded.url
    engine = create_engine(async_database_url(url), pool_size=2)
    try:
        yield engine
    finally:
        await engine.dispose()
        if embedded is not None:
            embedded.stop()
