"""The Postgres event store: atomic appends serialised by an advisory lock (see ADR 0001)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.schema import events, handled_commands
from domain.messages import EventMetadata, NewEvent, RecordedEvent
from handlers.ports import CommandAlreadyHandled, ConcurrencyError, HandledCommand

# One lock for every appender: positions are drawn and committed in the same order, so a
# reader of "position > last" can never pass over an event that commits later (ADR 0001).
APPEND_LOCK = 0x70686F656E6978  # "phoenix"
NOTIFY_CHANNEL = "phoenix_events"

_COLUMNS = (
    events.c.event_id,
    events.c.stream_id,
    events.c.version,
    events.c.position,
    events.c.type,
    events.c.schema_version,
    events.c.data,
    events.c.metadata,
)


def to_recorded(row: Any) -> RecordedEvent:
    return RecordedEvent(
        event_id=row.event_id,
        stream_id=row.stream_id,
        version=row.version,
        position=row.position,
        type=row.type,
        schema_version=row.schema_version,
        data=row.data,
        metadata=EventMetadata.model_validate(row.metadata),
    )


class PostgresEventStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events_: Sequence[NewEvent],
        *,
        command: HandledCommand | None = None,
    ) -> list[RecordedEvent]:
        async with self.engine.begin() as conn:
            return await append_in(conn, stream_id, expected_version, events_, command=command)

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        query = (
            select(*_COLUMNS)
            .where(events.c.stream_id == stream_id, events.c.version >= from_version)
            .order_by(events.c.version)
        )
        async with self.engine.connect() as conn:
            return [to_recorded(r) for r in await conn.execute(query)]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        async with self.engine.connect() as conn:
            return await read_all_in(conn, after_position, limit)

    async def head_position(self) -> int:
        async with self.engine.connect() as conn:
            return await head_position_in(conn)

    async def handled_command(self, command_id: UUID) -> HandledCommand | None:
        query = select(handled_commands).where(handled_commands.c.command_id == command_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return HandledCommand(row.command_id, row.command_type, row.stream_id, row.outcome)


async def read_all_in(
    conn: AsyncConnection, after_position: int, limit: int
) -> list[RecordedEvent]:
    query = (
        select(*_COLUMNS)
        .where(events.c.position > after_position)
        .order_by(events.c.position)
        .limit(limit)
    )
    return [to_recorded(r) for r in await conn.execute(query)]


async def head_position_in(conn: AsyncConnection) -> int:
    return int(
        (await conn.execute(select(func.coalesce(func.max(events.c.position), 0)))).scalar_one()
    )


async def append_in(
    conn: AsyncConnection,
    stream_id: str,
    expected_version: int,
    new: Sequence[NewEvent],
    *,
    command: HandledCommand | None = None,
) -> list[RecordedEvent]:
    """Append inside the caller's transaction (which must commit promptly: it holds the lock)."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
    stored: list[Any] = []
    if new:
        ids = [e.event_id for e in new]
        found = select(*_COLUMNS).where(events.c.event_id.in_(ids)).order_by(events.c.position)
        stored = list((await conn.execute(found)).all())
        if len(stored) == len(new):
            return [to_recorded(r) for r in stored]
    if command is not None:
        claimed = await conn.execute(
            pg_insert(handled_commands)
            .values(
                command_id=command.command_id,
                command_type=command.command_type,
                stream_id=command.stream_id,
                outcome=command.outcome,
            )
            .on_conflict_do_nothing()
        )
        if claimed.rowcount == 0:
            raise CommandAlreadyHandled(command.command_id)
    current = (
        await conn.execute(
            select(func.coalesce(func.max(events.c.version), 0)).where(
                events.c.stream_id == stream_id
            )
        )
    ).scalar_one()
    if current != expected_version or stored:
        raise ConcurrencyError(stream_id, expected_version, int(current))
    if not new:
        return []
    rows = await conn.execute(
        insert(events).returning(*_COLUMNS, sort_by_parameter_order=True),
        [
            {
                "event_id": e.event_id,
                "stream_id": stream_id,
                "version": expected_version + i,
                "type": e.type,
                "schema_version": e.schema_version,
                "data": e.data,
                "metadata": e.metadata.model_dump(mode="json"),
            }
            for i, e in enumerate(new, start=1)
        ],
    )
    recorded = [to_recorded(r) for r in rows]
    head = str(recorded[-1].position)
    await conn.execute(text("SELECT pg_notify(:ch, :head)"), {"ch": NOTIFY_CHANNEL, "head": head})
    return recorded
