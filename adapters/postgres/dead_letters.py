"""Dead letters: a row an operator can list and re-drive, and an event, written together."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.nats.consumer import DeadLetter, Delivery, recorded_headers
from adapters.postgres.event_store import append_in
from adapters.postgres.schema import dead_letters
from domain.dead_letters import DeadLetterRedriven, MessageDeadLettered, dead_letter_stream
from domain.messages import Event, EventMetadata, NewEvent


def _text(value: str) -> str:
    """Text PostgreSQL can store: a NUL (which text and jsonb refuse) is written as ``\\x00``."""
    return value.replace("\x00", "\\x00")


def _new_event(event: Event, actor: str) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        type=event.type_name(),
        data=event.model_dump(mode="json"),
        metadata=EventMetadata(actor=actor, occurred_at=datetime.now(UTC)),
    )


class PostgresDeadLetters:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, delivery: Delivery, error: str) -> None:
        async with self.engine.begin() as conn:
            await record_in(conn, delivery, error)

    async def list(self, *, include_redriven: bool = False) -> list[DeadLetter]:
        query = select(dead_letters).order_by(dead_letters.c.id)
        if not include_redriven:
            query = query.where(dead_letters.c.redriven_at.is_(None))
        async with self.engine.connect() as conn:
            return [DeadLetter(**row._mapping) for row in await conn.execute(query)]

    async def get(self, dead_letter_id: int) -> DeadLetter | None:
        query = select(dead_letters).where(dead_letters.c.id == dead_letter_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return DeadLetter(**row._mapping) if row else None

    async def mark_redriven(self, dead_letter_id: int, actor: str) -> bool:
        """Mark it re-driven (once); false if it was already, or does not exist."""
        async with self.engine.begin() as conn:
            done = await conn.execute(
                update(dead_letters)
                .where(dead_letters.c.id == dead_letter_id, dead_letters.c.redriven_at.is_(None))
                .values(redriven_at=datetime.now(UTC))
            )
            if done.rowcount == 0:
                return False
            # Re-driven at most once (the update above), so its stream holds just the first event.
            event = DeadLetterRedriven(dead_letter_id=dead_letter_id, redriven_by=actor)
            await append_in(conn, dead_letter_stream(dead_letter_id), 1, [_new_event(event, actor)])
        return True


async def record_in(conn: AsyncConnection, delivery: Delivery, error: str) -> None:
    """Record a dead letter (row and event) in the caller's transaction; once per consumer
    and stream sequence, whatever the message's bytes.
    """
    row_id = (
        await conn.execute(
            pg_insert(dead_letters)
            .values(
                consumer=delivery.consumer,
                subject=_text(delivery.subject),
                message_id=_text(delivery.message_id) if delivery.message_id else None,
                headers={_text(k): _text(v) for k, v in recorded_headers(delivery).items()},
                payload=delivery.body,
                error=_text(error),
                deliveries=delivery.delivered,
                stream_sequence=delivery.stream_sequence,
            )
            .on_conflict_do_nothing(constraint="dead_letters_once")
            .returning(dead_letters.c.id)
        )
    ).scalar_one_or_none()
    if row_id is None:
        return  # recorded already: the ack after it was lost and it came back
    event = MessageDeadLettered(
        dead_letter_id=row_id,
        consumer=delivery.consumer,
        subject=_text(delivery.subject),
        message_id=_text(delivery.message_id) if delivery.message_id else None,
        error=_text(error),
        deliveries=delivery.delivered,
    )
    await append_in(conn, dead_letter_stream(row_id), 0, [_new_event(event, delivery.consumer)])
