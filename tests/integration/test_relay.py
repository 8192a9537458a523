"""The relay publishes every stored event once, in order, and survives crashes without loss."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.bus import NatsBus
from adapters.nats.streams import EVENTS
from adapters.postgres.event_store import PostgresEventStore
from adapters.relay import Relay, bus_publisher
from handlers.ports import PublishAck
from tests.contracts.event_store import new_event


class Crash(Exception):
    """Stands for the relay process dying."""


async def published(bus: NatsBus) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
    """Everything in PHOENIX_EVENTS, in stream order."""
    info = await bus.js.stream_info(EVENTS)
    total = info.state.messages
    if total == 0:
        return []
    sub = await bus.js.pull_subscribe(
        "phoenix.evt.>", stream=EVENTS, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    )
    out: list[tuple[str, dict[str, str], dict[str, Any]]] = []
    while len(out) < total:
        for msg in await sub.fetch(min(total - len(out), 256), timeout=5):
            out.append((msg.subject, dict(msg.headers or {}), json.loads(msg.data)))
            await msg.ack()
    await sub.unsubscribe()
    return out


async def append(store: PostgresEventStore, streams: int, each: int) -> list[UUID]:
    ids: list[UUID] = []
    for _ in range(streams):
        events = [new_event(n=i) for i in range(each)]
        written = await store.append(f"experiment-{uuid4()}", 0, events)
        ids.extend(e.event_id for e in written)
    return ids


async def test_the_relay_publishes_events_in_global_order_with_the_envelope_as_headers(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    store = PostgresEventStore(engine)
    ids = await append(store, 3, 4)
    relay = Relay(engine, bus_publisher(bus), batch=5)
    while await relay.run_once():
        pass
    got = await published(bus)
    assert [UUID(h["Nats-Msg-Id"]) for _, h, _ in got] == ids
    subject, headers, body = got[0]
    assert subject == "phoenix.evt.experiment.Happened"
    assert headers["Phoenix-Stream-Id"] == body["stream_id"]
    assert headers["Phoenix-Version"] == "1"
    assert headers["Phoenix-Position"] == str(body["position"])
    assert headers["Phoenix-Actor"] == "test"
    assert await relay.position() == (await store.head_position())


async def test_a_relay_that_dies_after_publishing_but_before_its_checkpoint_loses_and_doubles_nothing(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    store = PostgresEventStore(engine)
    ids = await append(store, 2, 10)
    real = bus_publisher(bus)
    sent = 0

    async def dies_after_seven(subject: str, body: bytes, headers: dict[str, str]) -> PublishAck:
        nonlocal sent
        if sent == 7:
            raise Crash
        sent += 1
        return await real(subject, body, headers)

    with pytest.raises(Crash):
        await Relay(engine, dies_after_seven, batch=100).run_once()
    assert await Relay(engine, real).position() == 0, "the checkpoint moves only after every ack"

    # Events appended while no relay runs are published by the next one.
    ids += await append(store, 1, 5)
    restarted = Relay(engine, real, batch=100)
    while await restarted.run_once():
        pass
    got = await published(bus)
    assert [UUID(h["Nats-Msg-Id"]) for _, h, _ in got] == ids
