"""Where a running `phoenix up` is (its runtime file), and its database for operator commands."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.embedded.postgres_server import EmbeddedPostgres
from adapters.postgres.engine import create_engine
from adapters.settings import Settings, async_database_url
from gateway.runtime import RUNTIME_FILE


@dataclass(frozen=True)
class Endpoints:
    database_url: str | None
    api_url: str | None
    otlp_url: str | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discover(settings: Settings) -> Endpoints:
    """URLs from the environment first, then from a live `phoenix up` in the data dir."""
    running: dict[str, str] = {}
    path = settings.data_dir / RUNTIME_FILE
    if path.exists():
        info = json.loads(path.read_text())
        if _alive(int(info.get("pid", 0))):
            running = info
    return Endpoints(
        database_url=settings.database_url or running.get("database_url"),
        api_url=running.get("api_url"),
        otlp_url=running.get("otlp_url"),
    )


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
