"""The Postgres event store: atomic appends serialised by an advisory lock (see ADR 0001)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ARRAY, Integer, Text, Uuid, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.schema import events, handled_commands
from domain.messages import UNDECODABLE_EVENT, EventMetadata, NewEvent, RecordedEvent
from handlers.ports import CommandAlreadyHandled, ConcurrencyError, HandledCommand

# One lock for every appender: positions are drawn and committed in the same order, so a
# reader of "position > last" can never pass over an event that commits later (ADR 0001).
APPEND_LOCK = 0x70686F656E6978  # "phoenix"
NOTIFY_CHANNEL = "phoenix_events"

# Each row comes back as one JSON document that pydantic parses and validates in a single
# call: several times faster than decoding the jsonb columns and validating field by field.
_ENVELOPE = func.json_build_object(
    "event_id", events.c.event_id,
    "stream_id", events.c.stream_id,
    "version", events.c.version,
    "position", events.c.position,
    "type", events.c.type,
    "schema_version", events.c.schema_version,
    "data", events.c.data,
    "metadata", events.c.metadata,
).cast(Text).label("envelope")  # fmt: skip
# The plain columns too, so that an event whose envelope cannot be decoded can still be named.
_COLUMNS = (
    _ENVELOPE,
    events.c.event_id,
    events.c.stream_id,
    events.c.version,
    events.c.position,
    events.c.type,
    events.c.recorded_at,
)
MAX_SET_ASIDE_TEXT = 64 * 1024


def to_recorded(row: Any) -> RecordedEvent:
    """The stored event; one that cannot be decoded comes back as an EventUndecodable
    placeholder at its place in the log (its original type, the error, the stored text), so
    readers pass it and set it aside instead of stopping on it.
    """
    try:
        return RecordedEvent.model_validate_json(row.envelope)
    except (ValueError, RecursionError) as exc:  # pydantic's ValidationError is a ValueError
        return RecordedEvent(
            event_id=row.event_id,
            stream_id=row.stream_id,
            version=row.version,
            position=row.position,
            type=UNDECODABLE_EVENT,
            schema_version=1,
            data={
                "original_type": row.type,
                "error": f"{type(exc).__name__}: {str(exc)[:1000]}",
                "stored": row.envelope[:MAX_SET_ASIDE_TEXT],
            },
            metadata=EventMetadata(actor="system", occurred_at=row.recorded_at),
        )


class PostgresEventStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Single-statement reads need no BEGIN/ROLLBACK around them: one round trip, not three.
        self.reader = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events_: Sequence[NewEvent],
        *,
        command: HandledCommand | None = None,
    ) -> list[RecordedEvent]:
        try:
            async with self.engine.begin() as conn:
                return await append_in(conn, stream_id, expected_version, events_, command=command)
        except _AlreadyStored:
            # Re-appending stored events is harmless; appending some of them anew is a conflict.
            async with self.engine.connect() as conn:
                stored = await _stored(conn, [e.event_id for e in events_])
            if command is None and len(stored) == len(events_):
                return stored
            raise ConcurrencyError(stream_id, expected_version, stored[0].version) from None

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        query = (
            select(*_COLUMNS)
            .where(events.c.stream_id == stream_id, events.c.version >= from_version)
            .order_by(events.c.version)
        )
        async with self.reader.connect() as conn:
            return [to_recorded(r) for r in await conn.execute(query)]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        async with self.reader.connect() as conn:
            return await read_all_in(conn, after_position, limit)

    async def head_position(self) -> int:
        async with self.reader.connect() as conn:
            return await head_position_in(conn)

    async def handled_command(self, command_id: UUID) -> HandledCommand | None:
        query = select(handled_commands).where(handled_commands.c.command_id == command_id)
        async with self.reader.connect() as conn:
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


_INSERT = text(
    """
    INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata)
    SELECT e.event_id, :stream_id, :expected + e.ord, e.type, e.schema_version,
           e.data::jsonb, e.metadata::jsonb
    FROM unnest(:ids, :types, :schema_versions, :datas, :metas)
         WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, ord)
    WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream_id = :stream_id) = :expected
    ORDER BY e.ord
    RETURNING position, event_id, version
    """
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("types", type_=ARRAY(Text)),
    bindparam("schema_versions", type_=ARRAY(Integer)),
    bindparam("datas", type_=ARRAY(Text)),
    bindparam("metas", type_=ARRAY(Text)),
)


class _AlreadyStored(Exception):
    """Some of the events being appended are in the store already."""


async def _stored(conn: AsyncConnection, ids: list[UUID]) -> list[RecordedEvent]:
    found = select(*_COLUMNS).where(events.c.event_id.in_(ids)).order_by(events.c.position)
    return [to_recorded(r) for r in await conn.execute(found)]


# Waiting for the lock and queueing the wake-up in one round trip; NOTIFY is sent at commit.
_LOCK_AND_NOTIFY = text("SELECT pg_advisory_xact_lock(:key), pg_notify(:channel, '')")


async def append_in(
    conn: AsyncConnection,
    stream_id: str,
    expected_version: int,
    new: Sequence[NewEvent],
    *,
    command: HandledCommand | None = None,
) -> list[RecordedEvent]:
    """Append inside the caller's transaction (which must commit promptly: it holds the lock).

    Only the insert and the commit run under the lock: the command id is claimed before it
    (its primary key serialises duplicates), and the version check is part of the insert.
    """
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
    if not new:
        return []
    await conn.execute(_LOCK_AND_NOTIFY, {"key": APPEND_LOCK, "channel": NOTIFY_CHANNEL})
    ids = [e.event_id for e in new]
    params = {
        "stream_id": stream_id,
        "expected": expected_version,
        "ids": ids,
        "types": [e.type for e in new],
        "schema_versions": [e.schema_version for e in new],
        "datas": [json.dumps(e.data) for e in new],
        "metas": [e.metadata.model_dump_json() for e in new],
    }
    try:
        inserted = (await conn.execute(_INSERT, params)).all()
    except IntegrityError as exc:
        if "events_event_id_key" in str(exc.orig):
            raise _AlreadyStored from None
        raise
    if not inserted:
        if await _stored(conn, ids):
            raise _AlreadyStored
        current = await conn.execute(
            select(func.coalesce(func.max(events.c.version), 0)).where(
                events.c.stream_id == stream_id
            )
        )
        raise ConcurrencyError(stream_id, expected_version, int(current.scalar_one()))
    return [
        RecordedEvent(
            event_id=e.event_id,
            stream_id=stream_id,
            version=row.version,
            position=row.position,
            type=e.type,
            schema_version=e.schema_version,
            data=e.data,
            metadata=e.metadata,
        )
        for e, row in zip(new, inserted, strict=True)
    ]
