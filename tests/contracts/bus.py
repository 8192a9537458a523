"""The delivery every message bus must give Phoenix: run against NATS JetStream and the in-memory bus.

At least once, deduplicated by message id on the way in, acked only after the handler's
effect, redelivered after a failure with the count raised, dead-lettered after the policy's
last try (or at once for a permanent failure), and durable across a consumer's restart.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import uuid4

from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.nats.consumer import (
    Delivery,
    DeliveryPolicy,
    MessageBus,
    PermanentFailure,
    Subscription,
)
from adapters.nats.streams import COMMAND_SUBJECTS, COMMANDS
from domain.messages import CommandEnvelope
from tests.waiting import eventually

QUICK = DeliveryPolicy(max_deliveries=3, backoff=(0.05,), ack_wait=5, batch_size=1)


def command(marker: str = "") -> CommandEnvelope:
    return CommandEnvelope(
        command_id=uuid4(),
        type="StartExperiment",
        data={"experiment_id": str(uuid4()), "m": marker},
    )


class Received:
    """A handler that records each delivery, failing as told."""

    def __init__(self, *, fail_first: int = 0, permanent: bool = False) -> None:
        self.deliveries: list[Delivery] = []
        self.fail_first, self.permanent = fail_first, permanent

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        if self.permanent:
            raise PermanentFailure("this message can never be handled")
        if len(self.deliveries) <= self.fail_first:
            raise RuntimeError(f"failure {len(self.deliveries)}")

    def bodies(self) -> list[str]:
        return [CommandEnvelope.model_validate_json(d.body).data["m"] for d in self.deliveries]


class BusContract:
    """Subclass with a ``bus`` fixture yielding a started bus whose streams start empty."""

    async def consume(
        self, bus: MessageBus, handler: Received, dead: InMemoryDeadLetters, durable: str = ""
    ) -> object:
        name = durable or f"contract-{uuid4().hex[:8]}"
        return await bus.consume(
            Subscription(name, COMMANDS, COMMAND_SUBJECTS, handler, dead, QUICK)
        )

    async def test_a_sent_command_reaches_a_consumer_of_its_stream(self, bus: MessageBus) -> None:
        received, dead = Received(), InMemoryDeadLetters()
        await self.consume(bus, received, dead)
        await bus.send(command("one"))
        await eventually(lambda: _ready(received.bodies()), until=lambda b: b == ["one"])
        assert received.deliveries[0].delivered == 1

    async def test_the_same_message_id_sent_twice_is_taken_once(self, bus: MessageBus) -> None:
        received, dead = Received(), InMemoryDeadLetters()
        await self.consume(bus, received, dead)
        twice = command("twice")
        first, second = await bus.send(twice), await bus.send(twice)
        assert (first.duplicate, second.duplicate) == (False, True)
        assert second.sequence == first.sequence
        await bus.send(command("after"))
        await eventually(lambda: _ready(received.bodies()), until=lambda b: "after" in b)
        assert received.bodies() == ["twice", "after"]

    async def test_a_failed_delivery_comes_again_counted_until_it_succeeds(
        self, bus: MessageBus
    ) -> None:
        received, dead = Received(fail_first=2), InMemoryDeadLetters()
        await self.consume(bus, received, dead)
        await bus.send(command("flaky"))
        await eventually(lambda: _ready(received.deliveries), until=lambda d: len(d) == 3)
        await bus.send(command("next"))
        await eventually(lambda: _ready(received.bodies()), until=lambda b: "next" in b)
        assert [d.delivered for d in received.deliveries[:3]] == [1, 2, 3]
        assert dead.letters == []

    async def test_after_the_last_try_the_message_is_dead_lettered_and_not_delivered_again(
        self, bus: MessageBus
    ) -> None:
        received, dead = Received(fail_first=99), InMemoryDeadLetters()
        await self.consume(bus, received, dead)
        await bus.send(command("doomed"))
        letters = await eventually(lambda: _ready(dead.letters), until=lambda d: len(d) == 1)
        delivery, error = letters[0]
        assert delivery.delivered == QUICK.max_deliveries
        assert error == "RuntimeError: failure 3"
        assert received.bodies() == ["doomed"] * QUICK.max_deliveries

    async def test_a_permanent_failure_is_dead_lettered_at_once(self, bus: MessageBus) -> None:
        received, dead = Received(permanent=True), InMemoryDeadLetters()
        await self.consume(bus, received, dead)
        await bus.send(command("malformed"))
        letters = await eventually(lambda: _ready(dead.letters), until=lambda d: len(d) == 1)
        assert letters[0][0].delivered == 1
        assert letters[0][1].startswith("PermanentFailure: ")

    async def test_a_durable_consumer_resumes_where_it_was_after_a_restart(
        self, bus: MessageBus
    ) -> None:
        received, dead = Received(), InMemoryDeadLetters()
        durable = f"contract-{uuid4().hex[:8]}"
        consumer = await self.consume(bus, received, dead, durable)
        await bus.send(command("before"))
        await eventually(lambda: _ready(received.bodies()), until=lambda b: b == ["before"])
        await bus.stop_consumer(consumer)
        await bus.send(command("meanwhile"))
        await self.consume(bus, received, dead, durable)
        await eventually(lambda: _ready(received.bodies()), until=lambda b: "meanwhile" in b)
        assert received.bodies() == ["before", "meanwhile"]

    async def test_every_durable_consumer_gets_every_message(self, bus: MessageBus) -> None:
        one, two, dead = Received(), Received(), InMemoryDeadLetters()
        await self.consume(bus, one, dead)
        await self.consume(bus, two, dead)
        for marker in ("a", "b"):
            await bus.send(command(marker))
        await eventually(lambda: _ready(one.bodies()), until=lambda b: b == ["a", "b"])
        await eventually(lambda: _ready(two.bodies()), until=lambda b: b == ["a", "b"])


T = TypeVar("T")


async def _ready(value: T) -> T:
    """A value already there, as ``eventually`` probes it (the handlers fill it meanwhile)."""
    return value
