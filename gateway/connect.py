"""How a CLI command reaches Phoenix's servers: env URLs, a running `phoenix up`, or embedded."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.embedded.postgres_server import EmbeddedPostgres
from adapters.nats.bus import NatsBus
from adapters.postgres.engine import create_engine
from adapters.postgres.event_store import PostgresEventStore
from adapters.settings import Settings, async_database_url
from domain.messages import CommandEnvelope
from gateway.commands import send_and_wait
from gateway.runtime import RUNTIME_FILE


class NotRunning(RuntimeError):
    """A command needs the bus, and no Phoenix is running to provide it."""


@dataclass(frozen=True)
class Endpoints:
    database_url: str | None
    nats_url: str | None
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
        nats_url=settings.nats_url or running.get("nats_url"),
        api_url=running.get("api_url"),
        otlp_url=running.get("otlp_url"),
    )


@contextlib.asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on Phoenix's database, starting the embedded PostgreSQL if nothing runs."""
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


@contextlib.asynccontextmanager
async def bus(settings: Settings) -> AsyncIterator[NatsBus]:
    url = discover(settings).nats_url
    if url is None:
        raise NotRunning(
            f"no Phoenix is running with data dir {settings.data_dir} and PHOENIX_NATS_URL is unset: "
            "start it with `phoenix up` (or point PHOENIX_NATS_URL at your NATS)"
        )
    connected = NatsBus(url)
    await connected.start()
    try:
        yield connected
    finally:
        await connected.stop()


async def send_command(
    settings: Settings, envelope: CommandEnvelope, *, wait: float = 30.0
) -> dict[str, Any]:
    """Publish on the running Phoenix's bus and wait for the outcome in its store."""
    async with bus(settings) as connected, database(settings) as engine:
        return await send_and_wait(connected, PostgresEventStore(engine), envelope, wait=wait)
