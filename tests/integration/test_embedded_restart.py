"""The embedded servers keep their data across a stop and a start on the same data dir."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

from adapters.embedded.postgres_server import EmbeddedPostgres
from adapters.embedded.servers import Servers
from adapters.nats.bus import NatsBus
from adapters.nats.streams import COMMANDS
from adapters.postgres.engine import create_engine
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.migrate import upgrade
from adapters.settings import Settings
from domain.messages import CommandEnvelope
from tests.contracts.event_store import new_event
from tests.identities import operator
from tests.integration.test_command_worker import create


async def test_events_and_unhandled_commands_survive_a_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    sent: CommandEnvelope = create()

    servers = await asyncio.to_thread(Servers.start, settings)
    try:
        assert servers.embedded == ["EmbeddedPostgres", "EmbeddedNats"]
        engine = create_engine(servers.database_url, pool_size=1)
        await upgrade(engine)
        await PostgresEventStore(engine).append("test-restart", 0, [new_event(n=1)])
        await engine.dispose()
        bus = NatsBus(servers.nats_url, security=servers.nats_security)
        await bus.start()
        await bus.send(sent, token=operator())
        await bus.stop()
    finally:
        await asyncio.to_thread(servers.stop)

    servers = await asyncio.to_thread(Servers.start, settings)
    try:
        engine = create_engine(servers.database_url, pool_size=1)
        [event] = await PostgresEventStore(engine).read_stream("test-restart")
        assert event.data == {"n": 1}
        await engine.dispose()
        bus = NatsBus(servers.nats_url, security=servers.nats_security)
        await bus.start()
        info = await bus.js.stream_info(COMMANDS)
        assert info.state.messages == 1
        await bus.stop()
    finally:
        await asyncio.to_thread(servers.stop)


def test_the_embedded_postgres_makes_its_parents_searchable_not_readable(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    server = EmbeddedPostgres(private / "data" / "postgres")
    server.start()
    try:
        mode = stat.S_IMODE(private.stat().st_mode)
    finally:
        server.stop()
    # Root runs PostgreSQL as another user, who must reach its data dir: search, never read.
    assert mode == (0o711 if os.geteuid() == 0 else 0o700)
