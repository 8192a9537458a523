"""An event that can never be published is set aside as a dead letter; the relay goes on."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.bus import NatsBus
from adapters.nats.streams import EVENTS
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from adapters.relay import Relay, bus_publisher
from tests.contracts.event_store import new_event


async def _messages(bus: NatsBus) -> list[Any]:
    total = (await bus.js.stream_info(EVENTS)).state.messages
    sub = await bus.js.pull_subscribe("phoenix.evt.>", stream=EVENTS)
    messages = await sub.fetch(total, timeout=5)
    await sub.unsubscribe()
    return list(messages)


async def test_an_event_too_large_for_the_bus_is_dead_lettered_and_the_rest_published(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    store = PostgresEventStore(engine)
    await store.append(f"test-{uuid4()}", 0, [new_event(n=1)])
    await store.append(f"test-{uuid4()}", 0, [new_event(blob="x" * 1_200_000)])
    await store.append(f"test-{uuid4()}", 0, [new_event(n=3)])
    dead = PostgresDeadLetters(engine)
    relay = Relay(engine, bus_publisher(bus), dead_letters=dead)
    while await relay.run_once():
        pass
    published = [m.subject for m in await _messages(bus)]
    assert published == [
        "phoenix.evt.test.Happened",
        "phoenix.evt.test.Happened",
        "phoenix.evt.deadletter.MessageDeadLettered",
    ]
    [letter] = await dead.list()
    assert letter.consumer == "relay"
    assert "MaxPayloadError" in letter.error
    assert await relay.position() == await store.head_position()
