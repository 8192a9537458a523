"""A message bus in memory with the JetStream semantics Phoenix relies on, for unit tests.

What it keeps of JetStream: streams that take the subjects they are declared with; publishing
deduplicated by ``Nats-Msg-Id`` (forever here, within a window there); durable consumers that
survive being stopped and resume where they were acknowledged; at-least-once delivery in
stream order, a message held until it is acked, redelivered after a nak with the delivery
count raised, and dead-lettered by the same ``deliver`` policy as on NATS. What it does not
keep: time (a nak's delay is not waited for, ack_wait never expires), limits and persistence.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.nats.consumer import (
    Delivery,
    Subscription,
    command_message,
    deliver,
)
from adapters.nats.streams import COMMAND_SUBJECTS, COMMANDS, EVENT_SUBJECTS, EVENTS
from domain.messages import CommandEnvelope
from handlers.ports import PublishAck

__all__ = ["InMemoryBus", "subject_matches"]


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` is one token, ``>`` the rest (at least one token)."""
    wanted, given = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(given) > index
        if index >= len(given) or (token != "*" and token != given[index]):
            return False
    return len(wanted) == len(given)


@dataclass(frozen=True)
class _Message:
    sequence: int
    subject: str
    body: bytes
    headers: dict[str, str]
    published_at: datetime


@dataclass
class _Durable:
    """A durable consumer's state on the server: it outlives the consumer that reads it."""

    subject: str
    next_sequence: int = 1
    redeliver: list[tuple[_Message, int]] = field(default_factory=list)
    in_flight: int = 0
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class MemoryConsumer:
    stream: str
    durable: str
    task: asyncio.Task[None]


class _Acker:
    def __init__(self, durable: _Durable, message: _Message, delivered: int) -> None:
        self.durable, self.message, self.delivered = durable, message, delivered

    async def ack(self) -> None:
        pass

    async def nack(self, delay: float | None = None) -> None:
        self.durable.redeliver.append((self.message, self.delivered + 1))


class InMemoryBus:
    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.now = now  # the server's clock: when it took each message
        self._subjects = {COMMANDS: COMMAND_SUBJECTS, EVENTS: EVENT_SUBJECTS}
        self._messages: dict[str, list[_Message]] = {name: [] for name in self._subjects}
        self._ids: dict[str, dict[str, int]] = {name: {} for name in self._subjects}
        self._durables: dict[tuple[str, str], _Durable] = {}
        self._consumers: list[MemoryConsumer] = []
        self._changed = asyncio.Condition()

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        for consumer in list(self._consumers):
            await self.stop_consumer(consumer)

    async def publish(
        self, subject: str, body: bytes, headers: dict[str, str], *, stream: str
    ) -> PublishAck:
        if not subject_matches(self._subjects[stream], subject):
            raise ValueError(f"{subject} is not a subject of stream {stream}")
        message_id = headers.get("Nats-Msg-Id")
        seen = self._ids[stream]
        if message_id is not None and message_id in seen:
            return PublishAck(stream, seen[message_id], duplicate=True)
        messages = self._messages[stream]
        message = _Message(len(messages) + 1, subject, body, dict(headers), self.now())
        messages.append(message)
        if message_id is not None:
            seen[message_id] = message.sequence
        for (name, _), durable in self._durables.items():
            if name == stream:
                durable.wakeup.set()
        return PublishAck(stream, message.sequence, duplicate=False)

    def headers(self, stream: str) -> list[dict[str, str]]:
        """Each message's headers in ``stream``, in order (for tests to look into)."""
        return [dict(m.headers) for m in self._messages[stream]]

    def commands(self) -> list[CommandEnvelope]:
        """Every command the stream holds, in order (for tests to look into)."""
        return [CommandEnvelope.model_validate_json(m.body) for m in self._messages[COMMANDS]]

    async def send(self, envelope: CommandEnvelope, *, token: str | None = None) -> PublishAck:
        """Publish a command on its subject, deduplicated by its id, with the sender's token."""
        subject, body, headers = command_message(envelope, token)
        return await self.publish(subject, body, headers, stream=COMMANDS)

    async def consume(self, subscription: Subscription) -> MemoryConsumer:
        """Run the handler on every message of a durable consumer, one at a time, in order."""
        stream, durable = subscription.stream, subscription.durable
        state = self._durables.setdefault((stream, durable), _Durable(subscription.subject))
        state.subject = subscription.subject
        task = asyncio.create_task(self._run(stream, state, subscription), name=durable)
        consumer = MemoryConsumer(stream, durable, task)
        self._consumers.append(consumer)
        return consumer

    async def stop_consumer(self, consumer: MemoryConsumer) -> None:
        if consumer in self._consumers:
            self._consumers.remove(consumer)
            consumer.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer.task

    def _next(self, stream: str, state: _Durable) -> tuple[_Message, int] | None:
        if state.redeliver:
            return state.redeliver.pop(0)
        messages = self._messages[stream]
        while state.next_sequence <= len(messages):
            message = messages[state.next_sequence - 1]
            state.next_sequence += 1
            if subject_matches(state.subject, message.subject):
                return message, 1
        return None

    async def _run(self, stream: str, state: _Durable, subscription: Subscription) -> None:
        while True:
            taken = self._next(stream, state)
            if taken is None:
                async with self._changed:
                    self._changed.notify_all()
                state.wakeup.clear()
                await state.wakeup.wait()
                continue
            message, delivered = taken
            delivery = Delivery(
                consumer=subscription.durable,
                subject=message.subject,
                body=message.body,
                headers=message.headers,
                delivered=delivered,
                stream_sequence=message.sequence,
                published_at=message.published_at,
            )
            acker = _Acker(state, message, delivered)
            state.in_flight += 1
            try:
                await deliver(
                    delivery,
                    subscription.handler,
                    acker,
                    subscription.policy,
                    subscription.dead_letters,
                )
            except asyncio.CancelledError:
                state.redeliver.insert(0, (message, delivered + 1))  # never acked: comes again
                raise
            finally:
                state.in_flight -= 1

    def _settled(self) -> bool:
        for consumer in self._consumers:
            state = self._durables[(consumer.stream, consumer.durable)]
            pending = state.next_sequence <= len(self._messages[consumer.stream])
            if pending or state.redeliver or state.in_flight:
                return False
        return True

    async def settled(self) -> None:
        """Wait until every running consumer has handled all there is (callers bound the wait)."""
        async with self._changed:
            await self._changed.wait_for(self._settled)
