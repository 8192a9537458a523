"""Reliable delivery: ack after the effect, bounded redelivery with backoff, then a dead letter."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.catalog import command_subject
from domain.messages import CommandEnvelope
from handlers.ports import PublishAck

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How often a failing message is tried again, and how long to wait in between."""

    max_deliveries: int = 5
    backoff: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)
    ack_wait: float = 60.0
    batch_size: int = 10
    workers: int = 1

    def delay(self, delivered: int) -> float:
        return self.backoff[min(delivered, len(self.backoff)) - 1] if self.backoff else 0.0


@dataclass(frozen=True)
class Delivery:
    """One delivery of a message to a consumer."""

    consumer: str
    subject: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delivered: int = 1
    stream_sequence: int = 0

    @property
    def message_id(self) -> str | None:
        return self.headers.get("Nats-Msg-Id")


class PermanentFailure(Exception):
    """The message can never succeed (it is malformed): dead-letter it without retrying."""


class DeadLetterSink(Protocol):
    async def record(self, delivery: Delivery, error: str) -> None: ...


class Acker(Protocol):
    async def ack(self) -> None: ...

    async def nack(self, delay: float | None = None) -> None: ...


Handler = Callable[[Delivery], Awaitable[None]]

DEFAULT_POLICY = DeliveryPolicy()


@dataclass(frozen=True)
class Subscription:
    """A durable consumer: which messages (stream, subject), what to do with each, how to retry,
    and where what never succeeds goes.
    """

    durable: str
    stream: str
    subject: str
    handler: Handler
    dead_letters: DeadLetterSink
    policy: DeliveryPolicy = DEFAULT_POLICY


def command_message(envelope: CommandEnvelope) -> tuple[str, bytes, dict[str, str]]:
    """A command as it is published: its subject, its body, and its id as the dedup key."""
    return (
        command_subject(envelope.type),
        envelope.model_dump_json().encode(),
        {"Nats-Msg-Id": str(envelope.command_id), "Phoenix-Command-Type": envelope.type},
    )


class MessageBus(Protocol):
    """What the workers need of a bus: publish, send commands, and durable consumers."""

    async def publish(
        self, subject: str, body: bytes, headers: dict[str, str], *, stream: str
    ) -> PublishAck: ...

    async def send(self, envelope: CommandEnvelope) -> PublishAck: ...

    async def consume(self, subscription: Subscription) -> Any:
        """Run the subscription's handler on every message, acking each after it succeeds."""
        ...

    async def stop_consumer(self, consumer: Any) -> None: ...


async def deliver(
    delivery: Delivery,
    handler: Handler,
    acker: Acker,
    policy: DeliveryPolicy,
    dead_letters: DeadLetterSink,
) -> str:
    """Run ``handler`` and settle the message; returns what happened (for logs and tests)."""
    try:
        await handler(delivery)
    except PermanentFailure as exc:
        return await _dead_letter(
            delivery, f"{type(exc).__name__}: {exc}", acker, policy, dead_letters
        )
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if delivery.delivered >= policy.max_deliveries:
            return await _dead_letter(delivery, error, acker, policy, dead_letters)
        delay = policy.delay(delivery.delivered)
        log.warning(
            "%s failed on %s (delivery %d of %d), retrying in %.1fs: %s",
            delivery.consumer,
            delivery.subject,
            delivery.delivered,
            policy.max_deliveries,
            delay,
            error,
        )
        await acker.nack(delay=delay)
        return "retried"
    await acker.ack()
    return "acked"


async def _dead_letter(
    delivery: Delivery, error: str, acker: Acker, policy: DeliveryPolicy, sink: DeadLetterSink
) -> str:
    try:
        await sink.record(delivery, error)
    except Exception:
        # Never drop: if the dead letter cannot be written, the message stays on the bus.
        log.exception(
            "could not record a dead letter for %s; leaving it for redelivery", delivery.subject
        )
        await acker.nack(delay=policy.delay(delivery.delivered))
        return "retried"
    log.error(
        "%s dead-lettered %s after %d deliveries: %s",
        delivery.consumer,
        delivery.subject,
        delivery.delivered,
        error,
    )
    await acker.ack()
    return "dead-lettered"
