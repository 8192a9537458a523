"""Durable consumers ack after the effect, retry with backoff, and dead-letter what keeps failing."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.dead_letter_redrive import redrive
from adapters.nats.bus import NatsBus
from adapters.nats.consumer import (
    Delivery,
    DeliveryPolicy,
    Handler,
    PermanentFailure,
    Subscription,
)
from adapters.nats.streams import EVENTS
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from tests.waiting import eventually

FAST = DeliveryPolicy(max_deliveries=3, backoff=(0.05, 0.1), ack_wait=5, batch_size=5)


async def publish(bus: NatsBus, n: int, msg_id: str) -> None:
    await bus.publish(
        "phoenix.evt.test.Ping",
        json.dumps({"n": n}).encode(),
        {"Nats-Msg-Id": msg_id},
        stream=EVENTS,
    )


async def consume(
    bus: NatsBus, engine: AsyncEngine, durable: str, handler: Handler
) -> PostgresDeadLetters:
    """Run ``handler`` on test pings under a fast policy; returns where dead letters go."""
    dead = PostgresDeadLetters(engine)
    await bus.consume(Subscription(durable, EVENTS, "phoenix.evt.test.>", handler, dead, FAST))
    return dead


async def test_a_message_that_keeps_failing_is_retried_then_dead_lettered_with_its_error(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    deliveries: list[int] = []

    async def always_fails(delivery: Delivery) -> None:
        deliveries.append(delivery.delivered)
        raise RuntimeError("downstream is down")

    dead = await consume(bus, engine, "flaky", always_fails)
    await publish(bus, 1, "m-1")

    [letter] = await eventually(dead.list, until=lambda rows: len(rows) == 1)
    assert deliveries == [1, 2, 3]
    assert (letter.consumer, letter.subject, letter.deliveries) == (
        "flaky",
        "phoenix.evt.test.Ping",
        3,
    )
    assert letter.error == "RuntimeError: downstream is down"
    assert json.loads(letter.payload) == {"n": 1}
    [event] = await PostgresEventStore(engine).read_stream(f"deadletter-{letter.id}")
    assert event.type == "MessageDeadLettered"
    assert event.data["consumer"] == "flaky"


async def test_a_malformed_message_is_dead_lettered_without_retries(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    calls: list[int] = []

    async def refuses(delivery: Delivery) -> None:
        calls.append(delivery.delivered)
        raise PermanentFailure("not a ping")

    dead = await consume(bus, engine, "strict", refuses)
    await publish(bus, 2, "m-2")
    [letter] = await eventually(dead.list, until=lambda rows: len(rows) == 1)
    assert calls == [1]
    assert letter.error == "PermanentFailure: not a ping"


async def test_a_message_that_fails_once_is_handled_on_redelivery_and_acked(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    handled: list[int] = []

    async def fails_first(delivery: Delivery) -> None:
        if delivery.delivered == 1:
            raise RuntimeError("blip")
        handled.append(json.loads(delivery.body)["n"])

    dead = await consume(bus, engine, "recovers", fails_first)
    for n in range(5):
        await publish(bus, n, f"r-{n}")
    await eventually(lambda: _value(sorted(handled)), until=lambda v: v == [0, 1, 2, 3, 4])
    await eventually(lambda: bus.consumer_pending(EVENTS, "recovers"), until=lambda p: p == 0)
    assert await dead.list() == []


async def test_a_dead_letter_can_be_redriven_once(bus: NatsBus, engine: AsyncEngine) -> None:
    healthy = False
    handled: list[int] = []

    async def until_fixed(delivery: Delivery) -> None:
        if not healthy:
            raise RuntimeError("not yet")
        handled.append(json.loads(delivery.body)["n"])

    dead = await consume(bus, engine, "fixable", until_fixed)
    await publish(bus, 7, "d-7")
    [letter] = await eventually(dead.list, until=lambda rows: len(rows) == 1)

    healthy = True
    assert await redrive(dead, bus, letter.id, actor="operator") is True
    await eventually(lambda: _value(handled), until=lambda v: v == [7])
    assert await dead.list() == []
    assert await redrive(dead, bus, letter.id, actor="operator") is False
    events = await PostgresEventStore(engine).read_stream(f"deadletter-{letter.id}")
    assert [e.type for e in events] == ["MessageDeadLettered", "DeadLetterRedriven"]


async def _value(v: object) -> object:
    return v


async def test_the_server_never_gives_up_on_a_message_before_phoenix_does(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    await consume(bus, engine, "bounded", fails_first_never_ok)
    info = await bus.js.consumer_info(EVENTS, "bounded")
    assert info.config.max_deliver == -1


async def test_a_dead_letter_is_recorded_once_even_if_it_comes_back(engine: AsyncEngine) -> None:
    dead = PostgresDeadLetters(engine)
    delivery = Delivery(
        consumer="c", subject="phoenix.evt.test.Ping", body=b"{}", delivered=5, stream_sequence=42
    )
    await dead.record(delivery, "boom")
    await dead.record(delivery, "boom")
    assert len(await dead.list()) == 1


async def fails_first_never_ok(_: Delivery) -> None:
    raise RuntimeError("never")
