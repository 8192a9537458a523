"""A command the bus did not confirm is answered 503 with its id; sending it again is safe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.embedded.nats_server import EmbeddedNats
from adapters.metrics import Metrics
from adapters.nats.bus import NatsBus
from adapters.nats.streams import COMMANDS
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.read_model import PostgresReadModel
from domain.identity import Role
from gateway.api.app import create_app
from gateway.api.dependencies import ApiDeps, Backends
from tests.e2e.experiments import spec
from tests.identities import VERIFIER, bearer
from tests.waiting import eventually


async def test_a_503_carries_the_command_id_and_a_retry_with_it_is_taken_once(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    nats = EmbeddedNats(tmp_path / "nats")
    nats.start()
    bus = NatsBus(nats.url, security=nats.security(), publish_timeout=1.0)
    await bus.start()
    store = PostgresEventStore(engine)
    app = create_app(
        ApiDeps(
            PostgresReadModel(engine),
            store,
            bus,
            Metrics(),
            VERIFIER,
            PostgresDeadLetters(engine),
            Backends(engine, bus),
        )
    )
    try:
        # On this event loop, where the bus's connection lives (a test client's portal is not).
        transport = httpx.ASGITransport(app=cast(Any, app))  # an ASGI app; the two typings differ
        async with httpx.AsyncClient(
            transport=transport, base_url="http://phoenix", headers=bearer("alice", Role.OPERATOR)
        ) as api:
            nats.stop()  # the bus goes away under the API
            body = {"type": "CreateExperiment", "data": spec()}
            refused = await api.post("/api/v1/commands", content=json.dumps(body))
            assert refused.status_code == 503
            assert refused.headers["content-type"].startswith("application/problem+json")
            command_id = refused.json()["command_id"]
            assert "same command_id" in refused.json()["detail"]

            nats.start()  # back, on the same port and store
            await eventually(lambda: _connected(bus), deadline=30)
            again = json.dumps({**body, "command_id": command_id})
            # As a client would: the same envelope, with the same id, until it is taken.
            retried = await eventually(
                lambda: api.post("/api/v1/commands", content=again),
                until=lambda r: r.status_code != 503,
                deadline=30,
            )
            assert retried.status_code == 202
            assert retried.json()["command_id"] == command_id
            # Whether or not the first attempt reached the stream, the command is there once.
            assert (await bus.js.stream_info(COMMANDS)).state.messages == 1
    finally:
        await bus.stop()
        nats.stop()


async def _connected(bus: NatsBus) -> bool:
    return bool(bus.nc.is_connected)
