"""The bus: FastStream's NATS broker for publishing and durable pull consumers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import nats.errors
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, NatsSecurity, PullSub
from faststream.nats.annotations import NatsMessage
from nats.js.api import AckPolicy as ServerAckPolicy
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from adapters.nats.consumer import (
    Delivery,
    Subscription,
    command_message,
    deliver,
)
from adapters.nats.streams import COMMANDS, ensure_streams, stream_configs
from adapters.ordered_lanes import OrderedLanes
from domain.messages import CommandEnvelope
from handlers.ports import PublishAck

log = logging.getLogger(__name__)


async def _keep_alive(msg: NatsMessage, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await msg.in_progress()
        except Exception:
            log.debug("could not extend the ack deadline", exc_info=True)


def _undecoded(msg: NatsMessage) -> bytes:
    """The body as it came: Phoenix decodes it itself, so no body can fail before a handler
    runs (FastStream's JSON decoding would raise on deep nesting, and the message would then
    never be settled).
    """
    return msg.body


def _consumer_config(subscription: Subscription, **push: Any) -> ConsumerConfig:
    """A durable consumer's configuration on the server, pull (no ``push`` fields) or push.
    A new object for each use: FastStream and nats-py both mutate the one they get.
    """
    policy, filters = subscription.policy, subscription.filters
    return ConsumerConfig(
        durable_name=subscription.durable,
        filter_subject=None if filters else subscription.subject,
        filter_subjects=list(filters) or None,
        ack_policy=ServerAckPolicy.EXPLICIT,
        deliver_policy=push.pop("deliver_policy", DeliverPolicy.ALL),
        # Unlimited on the server: our code bounds deliveries and dead-letters, so a message
        # is never given up on without a trace (even if recording it fails).
        max_deliver=-1,
        ack_wait=policy.ack_wait,
        max_ack_pending=max(policy.batch_size * policy.workers * 2, policy.max_in_flight),
        **push,
    )


def _delivery(durable: str, msg: Any) -> Delivery:
    """A JetStream message (nats-py's) as a consumer's delivery."""
    meta = msg.metadata
    return Delivery(
        consumer=durable,
        subject=msg.subject,
        body=msg.data,
        headers=dict(msg.headers or {}),
        delivered=meta.num_delivered,
        stream_sequence=meta.sequence.stream,
        published_at=meta.timestamp,
    )


def _from_consumer(msg: Any, stream: str, durable: str) -> bool:
    """Whether a delivery came from ``durable`` on ``stream`` (its ack subject, set by the server)."""
    try:
        meta = msg.metadata
    except Exception:  # no JetStream ack subject: published to the inbox directly
        return False
    return bool(meta.stream == stream and meta.consumer == durable)


class _Acks:
    """A raw JetStream message as deliver() settles it."""

    def __init__(self, msg: Any) -> None:
        self.msg = msg

    async def ack(self) -> None:
        await self.msg.ack()

    async def nack(self, delay: float | None = None) -> None:
        await self.msg.nak(delay=delay)


async def _stop(consumer: Consumer) -> None:
    """Stop taking messages; what was already taken is settled (acked or left to redeliver)."""
    if consumer.lanes is None:
        await consumer.subscriber.stop()
        return
    # Already closed (a heal that failed half-way, a closed connection): nothing to drain there.
    with contextlib.suppress(nats.errors.Error):
        await consumer.subscriber.drain()  # what the server had sent is queued on the lanes too
    await consumer.lanes.drain()


@dataclass(eq=False)
class Consumer:
    """A durable consumer Phoenix runs: how to subscribe it again if it vanishes."""

    stream: str
    durable: str
    subscribe: Callable[[], Awaitable[Any]]
    subscriber: Any
    lanes: OrderedLanes | None = None


class NatsBus:
    """Connects to NATS, keeps the streams, publishes, and runs durable consumers."""

    def __init__(
        self, url: str, *, security: NatsSecurity | None = None, publish_timeout: float = 5.0
    ) -> None:
        self.url = url
        self.publish_timeout = publish_timeout
        quiet = logging.getLogger("phoenix.faststream")
        quiet.setLevel(logging.WARNING)
        self.broker = NatsBroker(url, logger=quiet, graceful_timeout=10.0, security=security)
        self._consumers: list[Consumer] = []

    async def start(self) -> None:
        await self.broker.start()
        await ensure_streams(self.js)

    async def stop(self) -> None:
        for consumer in self._consumers:
            await _stop(consumer)
        self._consumers.clear()
        await self.broker.stop()

    @property
    def js(self) -> Any:
        return self.broker.config.connection_state.stream

    @property
    def nc(self) -> Any:
        return self.broker.connection

    async def publish(
        self, subject: str, body: bytes, headers: dict[str, str], *, stream: str
    ) -> PublishAck:
        ack = await self.broker.publish(
            body, subject, stream=stream, headers=headers, timeout=self.publish_timeout
        )
        return PublishAck(ack.stream, ack.seq, bool(ack.duplicate))

    async def send(self, envelope: CommandEnvelope, *, token: str | None = None) -> PublishAck:
        """Publish a command on its subject, deduplicated by its id, with the sender's token."""
        subject, body, headers = command_message(envelope, token)
        return await self.publish(subject, body, headers, stream=COMMANDS)

    async def consume(self, subscription: Subscription) -> Consumer:
        """Run the handler on every message of a durable pull consumer, acking after success.

        Returns the consumer; ``stop_consumer`` stops it (the durable stays on the server).
        """
        durable, stream, subject = subscription.durable, subscription.stream, subscription.subject
        handler, dead_letters = subscription.handler, subscription.dead_letters
        policy = subscription.policy
        if subscription.lanes is not None:
            return await self._consume_in_lanes(subscription, subscription.lanes)

        def config() -> ConsumerConfig:
            return _consumer_config(subscription)

        async def subscribe() -> Any:
            # Create or update: an existing durable otherwise keeps its old configuration.
            await self.js.add_consumer(stream, config=config())
            sub = self.broker.subscriber(
                subject,
                stream=JStream(stream, declare=False),
                durable=durable,
                pull_sub=PullSub(batch_size=policy.batch_size, timeout=1.0),
                config=config(),
                ack_policy=AckPolicy.MANUAL,
                persistent=False,
                max_workers=policy.workers,
                decoder=_undecoded,
            )

            async def on_message(msg: NatsMessage) -> None:
                delivery = _delivery(durable, msg.raw_message)
                # Tell the server the message is still being worked on, so a slow effect is not
                # redelivered to another worker while it runs.
                heartbeat = asyncio.create_task(_keep_alive(msg, policy.ack_wait / 3))
                try:
                    await deliver(delivery, handler, msg, policy, dead_letters)
                finally:
                    heartbeat.cancel()

            sub(on_message)
            await sub.start()
            return sub

        consumer = Consumer(stream, durable, subscribe, await subscribe())
        self._consumers.append(consumer)
        return consumer

    async def _consume_in_lanes(
        self, subscription: Subscription, lanes_of: Callable[[Delivery], frozenset[str]]
    ) -> Consumer:
        """A durable push consumer: the server sends each message as it is stored, in stream
        order, up to ``max_in_flight`` unacknowledged; each is queued on its lanes at once and
        settled when its turn comes (adapters.ordered_lanes). No fetch round trip per message,
        and no reordering (FastStream's pull loop runs a fetched batch's messages concurrently).
        """
        durable, stream, policy = subscription.durable, subscription.stream, subscription.policy
        lanes = OrderedLanes()
        deliver_subject = f"_INBOX.phoenix.{durable}"  # _INBOX.> is Phoenix's alone (ADR 0008)

        def config(**start: Any) -> ConsumerConfig:
            return _consumer_config(
                subscription,
                deliver_subject=deliver_subject,
                deliver_group=durable,  # replicas share the messages, as with a pull consumer
                **start,
            )

        ignored = 0

        async def on_message(msg: Any) -> None:
            nonlocal ignored
            if not _from_consumer(msg, stream, durable):
                # Anyone who may create a push consumer can aim its deliveries at this inbox
                # (a subscriber, at PHOENIX_EVENTS): they are not commands; settled, not handled.
                ignored += 1
                if ignored == 1 or ignored % 1000 == 0:  # said, not a line per message
                    log.warning(
                        "ignored %d message(s) on %s from another consumer (last: %s)",
                        ignored, deliver_subject, msg.reply,
                    )  # fmt: skip
                with contextlib.suppress(Exception):
                    await msg.term()
                return
            delivery = _delivery(durable, msg)

            # Kept alive from now: waiting its turn is not being lost.
            heartbeat = asyncio.create_task(_keep_alive(msg, policy.ack_wait / 3))

            async def settle() -> None:
                try:
                    await deliver(
                        delivery, subscription.handler, _Acks(msg), policy,
                        subscription.dead_letters,
                    )  # fmt: skip
                finally:
                    heartbeat.cancel()

            lanes.submit(lanes_of(delivery), settle)

        async def subscribe() -> Any:
            await self._declare_push(stream, durable, config)
            return await self.nc.subscribe(deliver_subject, queue=durable, cb=on_message)

        consumer = Consumer(stream, durable, subscribe, await subscribe(), lanes)
        self._consumers.append(consumer)
        return consumer

    async def _declare_push(
        self, stream: str, durable: str, config: Callable[..., ConsumerConfig]
    ) -> None:
        """Create or update the push consumer; a pull consumer of that name (from an earlier
        Phoenix) is replaced by one that starts after everything it had acknowledged.
        """
        try:
            info = await self.js.consumer_info(stream, durable)
        except NotFoundError:
            info = None
        if info is not None and not info.config.deliver_subject:
            start = int(info.ack_floor.stream_seq) + 1 if info.ack_floor else 1
            log.warning(
                "replacing pull consumer %s with a push consumer from stream sequence %d",
                durable,
                start,
            )
            await self.js.delete_consumer(stream, durable)
            await self.js.add_consumer(
                stream, config=config(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                      opt_start_seq=start)
            )  # fmt: skip
            return
        await self.js.add_consumer(stream, config=config())

    async def stop_consumer(self, consumer: Consumer) -> None:
        if consumer in self._consumers:
            self._consumers.remove(consumer)
            await _stop(consumer)

    async def heal(self) -> list[str]:
        """Declare again the streams and durable consumers that vanished (a NATS that lost its
        store, or someone who deleted them); returns what was restored.
        """
        restored = [f"stream {name}" for name in await ensure_streams(self.js)]
        for consumer in self._consumers:
            try:
                await self.js.consumer_info(consumer.stream, consumer.durable)
                continue
            except NotFoundError:
                pass
            await _stop(consumer)
            consumer.subscriber = await consumer.subscribe()
            restored.append(f"consumer {consumer.durable}")
        if restored:
            log.warning("restored on the bus: %s", ", ".join(restored))
        return restored

    async def missing(self) -> list[str]:
        """Streams and durable consumers Phoenix needs that the server does not have."""
        gone = []
        for config in stream_configs():
            try:
                await self.js.stream_info(config.name)
            except NotFoundError:
                gone.append(f"stream {config.name}")
        for consumer in self._consumers:
            try:
                await self.js.consumer_info(consumer.stream, consumer.durable)
            except NotFoundError:
                gone.append(f"consumer {consumer.durable}")
        return gone

    async def subscribe_core(self, subject: str, callback: Callable[[], Awaitable[None]]) -> Any:
        """A plain (non-durable) subscription, used only to wake pollers early."""

        async def on_msg(_msg: Any) -> None:
            await callback()

        return await self.nc.subscribe(subject, cb=on_msg)

    async def consumer_pending(self, stream: str, durable: str) -> int | None:
        try:
            info = await self.js.consumer_info(stream, durable)
        except NotFoundError:
            return None
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)
