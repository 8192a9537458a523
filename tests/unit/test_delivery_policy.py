"""How a delivery is settled: ack on success, retry with backoff, dead-letter at the bound."""

from __future__ import annotations

import pytest

from adapters.nats.consumer import Delivery, DeliveryPolicy, PermanentFailure, deliver

POLICY = DeliveryPolicy(max_deliveries=3, backoff=(1.0, 4.0))


class Acker:
    def __init__(self) -> None:
        self.settled: list[tuple[str, float | None]] = []

    async def ack(self) -> None:
        self.settled.append(("ack", None))

    async def nack(self, delay: float | None = None) -> None:
        self.settled.append(("nack", delay))


class Sink:
    def __init__(self, fails: bool = False) -> None:
        self.fails = fails
        self.letters: list[tuple[Delivery, str]] = []

    async def record(self, delivery: Delivery, error: str) -> None:
        if self.fails:
            raise ConnectionError("database down")
        self.letters.append((delivery, error))


def delivery(n: int) -> Delivery:
    return Delivery(consumer="c", subject="s", body=b"{}", delivered=n)


async def ok(_: Delivery) -> None:
    return None


async def broken(_: Delivery) -> None:
    raise RuntimeError("boom")


async def malformed(_: Delivery) -> None:
    raise PermanentFailure("not a command")


async def test_a_handled_message_is_acked() -> None:
    acker = Acker()
    assert await deliver(delivery(1), ok, acker, POLICY, Sink()) == "acked"
    assert acker.settled == [("ack", None)]


@pytest.mark.parametrize(("n", "delay"), [(1, 1.0), (2, 4.0)])
async def test_a_failure_below_the_bound_is_retried_after_its_backoff(n: int, delay: float) -> None:
    acker, sink = Acker(), Sink()
    assert await deliver(delivery(n), broken, acker, POLICY, sink) == "retried"
    assert acker.settled == [("nack", delay)]
    assert sink.letters == []


async def test_a_failure_at_the_bound_becomes_a_dead_letter_and_is_acked() -> None:
    acker, sink = Acker(), Sink()
    assert await deliver(delivery(3), broken, acker, POLICY, sink) == "dead-lettered"
    assert [error for _, error in sink.letters] == ["RuntimeError: boom"]
    assert acker.settled == [("ack", None)]


async def test_a_permanent_failure_is_dead_lettered_on_its_first_delivery() -> None:
    acker, sink = Acker(), Sink()
    assert await deliver(delivery(1), malformed, acker, POLICY, sink) == "dead-lettered"
    assert [error for _, error in sink.letters] == ["PermanentFailure: not a command"]


async def test_a_dead_letter_that_cannot_be_written_leaves_the_message_on_the_bus() -> None:
    acker = Acker()
    assert await deliver(delivery(3), broken, acker, POLICY, Sink(fails=True)) == "retried"
    assert acker.settled == [("nack", 4.0)]
