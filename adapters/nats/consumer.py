"""Reliable delivery: ack after the effect, bounded redelivery with backoff, then a dead letter."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
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
    max_in_flight: int = 16  # taken off the bus, not yet acknowledged (at least 2 batches each)

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
    published_at: datetime | None = None  # when the bus took it (the server's clock)
    # The subject of the sender's token as the command worker verified it, kept with a dead
    # letter in place of the token (never read from the message itself).
    verified_sender: str | None = None

    @property
    def message_id(self) -> str | None:
        return self.headers.get("Nats-Msg-Id")

    @property
    def bearer_token(self) -> str | None:
        """The sender's token, from ``Authorization: Bearer <token>``."""
        return bearer_token(self.headers.get(AUTHORIZATION, ""))


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization`` value (RFC 6750: ``Bearer <token>``), on the bus and
    on the API alike; None for any other scheme or none at all.
    """
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class PermanentFailure(Exception):
    """The message can never succeed (it is malformed): dead-letter it without retrying."""


def kept_headers(headers: dict[str, str]) -> dict[str, str]:
    """A message's headers as a dead letter keeps, shows and re-sends them: all but the sender's
    token (a secret, and one that would have expired by a re-drive) and any claim of a verified
    sender (only Phoenix records one: ``recorded_headers``).
    """
    return {k: v for k, v in headers.items() if k.lower() not in _NOT_KEPT}


def recorded_headers(delivery: Delivery) -> dict[str, str]:
    """The headers a dead letter is stored with: the kept ones, and the verified sender if any."""
    headers = kept_headers(delivery.headers)
    if delivery.verified_sender is not None:
        headers[VERIFIED_SENDER] = delivery.verified_sender
    return headers


class DeadLetterSink(Protocol):
    async def record(self, delivery: Delivery, error: str) -> None: ...


@dataclass(frozen=True)
class DeadLetter:
    id: int
    consumer: str
    subject: str
    message_id: str | None
    headers: dict[str, str]
    payload: bytes
    error: str
    deliveries: int
    stream_sequence: int
    recorded_at: datetime
    redriven_at: datetime | None


class DeadLetterStore(DeadLetterSink, Protocol):
    """Dead letters an operator can list and re-drive."""

    async def list(self, *, include_redriven: bool = False) -> list[DeadLetter]: ...

    async def get(self, dead_letter_id: int) -> DeadLetter | None: ...

    async def mark_redriven(self, dead_letter_id: int, actor: str) -> bool:
        """Mark it re-driven (once); false if it was already, or does not exist."""
        ...


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
    # With it, messages are handled in parallel, except that those naming a key in common are
    # handled one at a time in the order the bus delivered them (adapters.ordered_lanes).
    lanes: Callable[[Delivery], frozenset[str]] | None = None
    # With them, the server delivers only messages on these subjects (within ``subject``).
    filters: tuple[str, ...] = ()


AUTHORIZATION = "Authorization"
VERIFIED_SENDER = "Phoenix-Verified-Sender"
_NOT_KEPT = {AUTHORIZATION.lower(), VERIFIED_SENDER.lower()}


def command_message(
    envelope: CommandEnvelope, token: str | None = None
) -> tuple[str, bytes, dict[str, str]]:
    """A command as it is published: its subject, its body, its id as the dedup key, and the
    sender's token (the worker verifies it: without one, the command is rejected).
    """
    headers = {"Nats-Msg-Id": str(envelope.command_id), "Phoenix-Command-Type": envelope.type}
    if token is not None:
        headers[AUTHORIZATION] = f"Bearer {token}"
    return command_subject(envelope.type), envelope.model_dump_json().encode(), headers


class MessageBus(Protocol):
    """What the workers need of a bus: publish, send commands, and durable consumers."""

    async def publish(
        self, subject: str, body: bytes, headers: dict[str, str], *, stream: str
    ) -> PublishAck: ...

    async def send(self, envelope: CommandEnvelope, *, token: str | None = None) -> PublishAck: ...

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
