"""The relay: publishes stored events to JetStream in global order; the log is the outbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from nats.errors import MaxPayloadError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.bus import NatsBus
from adapters.nats.consumer import DeadLetterSink, Delivery
from adapters.nats.streams import EVENTS
from adapters.postgres.event_store import NOTIFY_CHANNEL, held_back_in, read_all_in
from adapters.postgres.listen import listening
from adapters.postgres.tracking import PostgresTracking
from adapters.wakeup import Wakeup, pause
from domain.catalog import event_subject
from domain.messages import UNDECODABLE_EVENT, RecordedEvent
from handlers.ports import PublishAck

log = logging.getLogger(__name__)

CHECKPOINT = "relay"
RELAY_LOCK = 0x72656C6179  # one relay publishes at a time; others stand by
# How soon to look again when committed events wait behind an older, still running transaction.
HELD_BACK_RETRY_S = 0.002

Publish = Callable[[str, bytes, dict[str, str]], Awaitable[PublishAck]]


def event_headers(event: RecordedEvent) -> dict[str, str]:
    meta = event.metadata
    headers = {
        "Nats-Msg-Id": str(event.event_id),
        "Phoenix-Event-Id": str(event.event_id),
        "Phoenix-Event-Type": event.type,
        "Phoenix-Schema-Version": str(event.schema_version),
        "Phoenix-Stream-Id": event.stream_id,
        "Phoenix-Version": str(event.version),
        "Phoenix-Position": str(event.position),
        "Phoenix-Actor": meta.actor,
        "Phoenix-Occurred-At": meta.occurred_at.isoformat(),
    }
    for name, value in (
        ("Phoenix-Command-Id", meta.command_id),
        ("Phoenix-Correlation-Id", meta.correlation_id),
        ("Phoenix-Causation-Id", meta.causation_id),
    ):
        if value is not None:
            headers[name] = str(value)
    return headers


def event_message(event: RecordedEvent) -> tuple[str, bytes, dict[str, str]]:
    """An event as it is published: its subject, its body, and its id as the dedup key."""
    return (
        event_subject(event.type, event.stream_id),
        event.model_dump_json().encode(),
        event_headers(event),
    )


def bus_publisher(bus: NatsBus) -> Publish:
    async def publish(subject: str, body: bytes, headers: dict[str, str]) -> PublishAck:
        return await bus.publish(subject, body, headers, stream=EVENTS)

    return publish


class Relay:
    def __init__(
        self,
        engine: AsyncEngine,
        publish: Publish,
        *,
        batch: int = 500,
        poll_interval: float = 1.0,
        dead_letters: DeadLetterSink | None = None,
    ) -> None:
        self.engine = engine
        self.publish = publish
        self.batch = batch
        self.poll_interval = poll_interval
        self.wakeup = Wakeup()
        self.dead_letters = dead_letters
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.tracking = PostgresTracking(engine)  # how far it has published
        self._after: int | None = None
        self.held_back = False  # the last read stopped at a transaction still running

    async def position(self) -> int:
        return await self.tracking.max_tracking_id(CHECKPOINT)

    async def run_once(self) -> int:
        """Publish the next batch after the checkpoint; save the checkpoint once all are acked."""
        if self._after is None:
            self._after = await self.position()
        async with self._autocommit.connect() as conn:
            batch = await read_all_in(conn, self._after, self.batch)
            self.held_back = len(batch) < self.batch and await held_back_in(
                conn, batch[-1].position if batch else self._after
            )
        for event in batch:
            if event.type == UNDECODABLE_EVENT:
                # Nothing could decode it downstream either: set it aside, publish the rest.
                stored = str(event.data["stored"]).encode()
                kind = str(event.data["original_type"])
                await self._set_aside(event, stored, str(event.data["error"]), kind)
                continue
            subject, body, headers = event_message(event)
            try:
                await self.publish(subject, body, headers)
            except MaxPayloadError as exc:
                # This event can never be published; retrying it would stop the relay for good.
                await self._set_aside(event, body, f"{type(exc).__name__}: {exc}", event.type)
        if batch:
            await self.tracking.track_position(CHECKPOINT, batch[-1].position)
            self._after = batch[-1].position
        return len(batch)

    async def _set_aside(self, event: RecordedEvent, body: bytes, error: str, kind: str) -> None:
        log.error(
            "relay cannot publish event %s (position %d): %s", event.event_id, event.position, error
        )
        if self.dead_letters is None:
            raise RuntimeError(f"event at position {event.position} cannot be published: {error}")
        await self.dead_letters.record(
            Delivery(
                consumer=CHECKPOINT,
                subject=event_subject(kind, event.stream_id),
                body=body,
                headers=event_headers(event),
                delivered=1,
                stream_sequence=event.position,
            ),
            error,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set, woken by the store's NOTIFY or by the poll interval."""
        # The lock is held by a session, on an autocommit connection: an open transaction held
        # for the relay's lifetime would stop VACUUM from cleaning anything in the database.
        async with self._autocommit.connect() as lock_conn:
            await lock_conn.exec_driver_sql(f"SELECT pg_advisory_lock({RELAY_LOCK})")
            # Holding the lock makes this the only relay: its position in memory is the truth.
            self._after = None
            try:
                async with listening(self.engine, NOTIFY_CHANNEL, self.wakeup):
                    while not stop.is_set():
                        try:
                            if await self.run_once() == self.batch:
                                continue
                        except Exception:
                            log.exception("relay could not publish; will try again")
                        wait = HELD_BACK_RETRY_S if self.held_back else self.poll_interval
                        await pause(self.wakeup, stop, wait)
            finally:
                await lock_conn.exec_driver_sql(f"SELECT pg_advisory_unlock({RELAY_LOCK})")
