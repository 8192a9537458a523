"""The Postgres event store: concurrent appends, positions in commit-safe order (see ADR 0013)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import TypeAdapter
from sqlalchemy import (
    ARRAY,
    Integer,
    Text,
    Uuid,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnClause

from adapters.gc_pause import gc_paused
from adapters.postgres.notices import Coalesced
from adapters.postgres.schema import events, handled_commands
from domain.messages import UNDECODABLE_EVENT, EventMetadata, NewEvent, RecordedEvent
from handlers.ports import CommandAlreadyHandled, ConcurrencyError, HandledCommand

NOTIFY_CHANNEL = "phoenix_events"

# A position is the appending transaction's id (xid8) shifted left, plus the event's ordinal in
# that transaction: the log's order is (transaction, ordinal), and a reader reads only below the
# oldest transaction still running, whose events are final. No lock; appenders commit in
# parallel (ADR 0013).
ORDINAL_BITS = 12
MAX_EVENTS_PER_TRANSACTION = 1 << ORDINAL_BITS


def _first_position(xid: str) -> str:
    """SQL for the first position of the transaction whose id (xid8) ``xid`` computes."""
    return f"(({xid})::text::bigint << {ORDINAL_BITS})"


# The appending transaction's first position.
_TX_BASE = _first_position("pg_current_xact_id()")
# Positions below it belong to transactions that have all ended: nothing can appear below it.
_HORIZON_SQL = _first_position("pg_snapshot_xmin(pg_current_snapshot())")
_HORIZON: ColumnClause[int] = literal_column(_HORIZON_SQL)


MAX_SET_ASIDE_TEXT = 64 * 1024


def to_recorded(row: Any, envelope: str) -> RecordedEvent:
    """The stored event from its row and its ``envelope`` (the event as one JSON document); one
    that cannot be decoded comes back as an EventUndecodable placeholder at its place in the log
    (its original type, the error, the stored text), so readers pass it and set it aside instead
    of stopping on it.
    """
    try:
        return RecordedEvent.model_validate_json(envelope)
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
                "stored": envelope[:MAX_SET_ASIDE_TEXT],
            },
            metadata=EventMetadata(actor="system", occurred_at=row.recorded_at),
        )


class PostgresEventStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Single-statement reads need no BEGIN/ROLLBACK around them: one round trip, not three.
        self.reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        # The relay's and projections' wake-up, sent after an append commits (see Coalesced).
        self.notices = Coalesced(self._notify)

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events_: Sequence[NewEvent],
        *,
        command: HandledCommand | None = None,
    ) -> list[RecordedEvent]:
        try:
            if not events_:  # only the command to record
                async with self.engine.begin() as conn:
                    return await append_in(conn, stream_id, expected_version, [], command=command)
            return await self._append_alone(stream_id, expected_version, events_, command)
        except _AlreadyStored:
            # Re-appending stored events is harmless; appending some of them anew is a conflict.
            async with self.engine.connect() as conn:
                stored = await _stored(conn, [e.event_id for e in events_])
            if command is None and len(stored) == len(events_):
                self.notices.poke()  # its first try may have committed and lost its reply
                return stored
            raise ConcurrencyError(stream_id, expected_version, stored[0].version) from None

    async def _append_alone(
        self,
        stream_id: str,
        expected: int,
        new: Sequence[NewEvent],
        command: HandledCommand | None,
    ) -> list[RecordedEvent]:
        """The append as one statement in a transaction of its own: the command's claim, the
        version check and the insert in one round trip on asyncpg itself (no BEGIN, no COMMIT,
        no statement built per call: this is the write path's hot spot); the NOTIFY after it.
        """
        _check_size(new)
        claim = (
            (command.command_id, command.command_type, command.stream_id, command.outcome)
            if command is not None
            else (None, None, None, None)
        )
        async with self.engine.connect() as conn:
            raw: Any = (await conn.get_raw_connection()).driver_connection
            try:
                rows = await raw.fetch(
                    _APPEND_ALONE,
                    stream_id,
                    expected,
                    [e.event_id for e in new],
                    [e.type for e in new],
                    [e.schema_version for e in new],
                    [json.dumps(e.data) for e in new],
                    [e.metadata.model_dump_json() for e in new],
                    *claim,
                )
            except asyncpg.UniqueViolationError as exc:
                if exc.constraint_name == "events_event_id_key":
                    raise _AlreadyStored from None
                if exc.constraint_name == "events_stream_version_key":
                    raise ConcurrencyError(stream_id, expected, expected + 1) from None
                raise
            if not rows:
                await self._why_not_appended(conn, stream_id, expected, new, command)
        self.notices.poke()
        return _recorded(stream_id, new, rows)

    async def _notify(self) -> None:
        async with self.engine.connect() as conn:
            raw: Any = (await conn.get_raw_connection()).driver_connection
            await raw.execute(_NOTIFY, NOTIFY_CHANNEL)

    async def _why_not_appended(
        self,
        conn: AsyncConnection,
        stream_id: str,
        expected: int,
        new: Sequence[NewEvent],
        command: HandledCommand | None,
    ) -> None:
        # On this connection: a second one from the pool while holding it could wait forever.
        if command is not None and await _handled_in(conn, command.command_id) is not None:
            raise CommandAlreadyHandled(command.command_id)
        if await _stored(conn, [e.event_id for e in new]):
            raise _AlreadyStored
        raise ConcurrencyError(stream_id, expected, await _version(conn, stream_id))

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        async with self.reader.connect() as conn:
            rows = (await conn.exec_driver_sql(_READ_STREAM, (stream_id, from_version))).all()
        return _decoded(rows)

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        async with self.reader.connect() as conn:
            return await read_all_in(conn, after_position, limit)

    async def head_position(self) -> int:
        async with self.reader.connect() as conn:
            return await head_position_in(conn)

    async def handled_command(self, command_id: UUID) -> HandledCommand | None:
        async with self.reader.connect() as conn:
            return await _handled_in(conn, command_id)


async def _handled_in(conn: AsyncConnection, command_id: UUID) -> HandledCommand | None:
    query = select(handled_commands).where(handled_commands.c.command_id == command_id)
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    return HandledCommand(row.command_id, row.command_type, row.stream_id, row.outcome)


async def read_all_in(
    conn: AsyncConnection, after_position: int, limit: int
) -> list[RecordedEvent]:
    """The next events after a position, only below the horizon: an event that a reader
    has passed can never appear later.
    """
    rows = (await conn.exec_driver_sql(_READ_ROWS, (after_position, limit))).all()
    return _decoded(rows)


def _decoded(rows: Sequence[Any]) -> list[RecordedEvent]:
    """Rows of the ``_ROW`` columns as events: as one JSON array, parsed and
    validated by pydantic in one call (built here from the plain columns, jsonb as its text:
    PostgreSQL building the JSON was most of a read's time), row by row when one cannot be.
    """
    if not rows:
        return []
    with gc_paused():
        try:
            return _PAGE_OF_EVENTS.validate_json("[" + ",".join(map(_envelope, rows)) + "]")
        except (ValueError, RecursionError):  # an event that cannot be decoded: row by row
            return [to_recorded(r, _envelope(r)) for r in rows]


def _envelope(row: Any) -> str:
    """A row of the ``_ROW`` columns as the JSON document of its event."""
    return (
        f'{{"event_id":"{row.event_id}","stream_id":{_json(row.stream_id)},'
        f'"version":{row.version},"position":{row.position},"type":{_json(row.type)},'
        f'"schema_version":{row.schema_version},"data":{row.data},"metadata":{row.metadata}}}'
    )


_json = json.JSONEncoder(ensure_ascii=False).encode
# An event's plain columns, as every read selects them for ``_decoded`` (jsonb as its text).
_ROW = """event_id::text AS event_id, stream_id, version, position, type, schema_version,
    data::text AS data, metadata::text AS metadata, recorded_at"""
# Built once (every tail reader runs it on every wake-up). The page is taken first, in index
# order, and only then cut at the horizon: the planner cannot estimate the horizon, and with it
# in the scan it may fetch and sort every event after the position for each page. The events
# below the horizon come first in position order, so the cut page is the same.
_READ_ROWS = f"""
    SELECT * FROM (
        SELECT {_ROW}
        FROM events
        WHERE position > $1
        ORDER BY position
        LIMIT $2
    ) page
    WHERE position < {_HORIZON_SQL}
    ORDER BY position
"""
_READ_STREAM = f"""
    SELECT {_ROW} FROM events WHERE stream_id = $1 AND version >= $2 ORDER BY version
"""
_READ_IDS = f"SELECT {_ROW} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY position"
_PAGE_OF_EVENTS = TypeAdapter(list[RecordedEvent])


async def held_back_in(conn: AsyncConnection, after_position: int) -> bool:
    """Events after the position are committed but not yet readable: an older transaction
    (an append or any other write) is still running. Its end sends no wake-up; ask again soon.
    """
    query = select(
        select(events.c.position)
        .where(events.c.position > after_position, events.c.position >= _HORIZON)
        .exists()
    )
    return bool((await conn.execute(query)).scalar_one())


async def head_position_in(conn: AsyncConnection) -> int:
    """The last readable position: a tail reader that starts from it misses nothing."""
    query = select(func.coalesce(func.max(events.c.position), 0)).where(
        events.c.position < _HORIZON
    )
    return int((await conn.execute(query)).scalar_one())


async def events_after_in(conn: AsyncConnection, position: int, *, cap: int = 100_000) -> int:
    """How many events lie after a position (a reader's lag), counted up to ``cap``."""
    after = select(events.c.position).where(events.c.position > position).limit(cap).subquery()
    return int((await conn.execute(select(func.count()).select_from(after))).scalar_one())


# The transaction's own earlier events (visible to it alone) give the next ordinal; the version
# check is part of the insert; the NOTIFY that wakes the relay is sent at commit.
_INSERT = text(
    f"""
    WITH tx AS MATERIALIZED (
        SELECT {_TX_BASE} AS base,
               pg_notify(:channel, '') AS notified
    ), taken AS MATERIALIZED (
        SELECT count(*) AS n FROM events, tx
        WHERE position >= tx.base AND position < tx.base + {MAX_EVENTS_PER_TRANSACTION}
    )
    INSERT INTO events
        (position, event_id, stream_id, version, type, schema_version, data, metadata)
    SELECT tx.base + taken.n + e.ord - 1, e.event_id, :stream_id, :expected + e.ord, e.type,
           e.schema_version, e.data::jsonb, e.metadata::jsonb
    FROM unnest(:ids, :types, :schema_versions, :datas, :metas)
         WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, ord), tx, taken
    WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream_id = :stream_id) = :expected
      AND taken.n + cardinality(:ids) <= {MAX_EVENTS_PER_TRANSACTION}
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


# One statement, its own transaction, so the transaction's first ordinal is 0. The claim and
# the events are written only if the version holds, the events only if the claim was made
# (when there is a command): the claim's RETURNING is how the insert learns it.
_APPEND_ALONE = f"""
    WITH tx AS MATERIALIZED (
        SELECT {_TX_BASE} AS base
    ), current AS MATERIALIZED (
        SELECT coalesce(max(version), 0) AS version FROM events WHERE stream_id = $1
    ), claim AS (
        INSERT INTO handled_commands (command_id, command_type, stream_id, outcome)
        SELECT $8::uuid, $9, $10, $11 FROM current
        WHERE $8::uuid IS NOT NULL AND current.version = $2
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    INSERT INTO events
        (position, event_id, stream_id, version, type, schema_version, data, metadata)
    SELECT tx.base + e.ord - 1, e.event_id, $1, $2 + e.ord, e.type, e.schema_version,
           e.data::jsonb, e.metadata::jsonb
    FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[])
         WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, ord), tx, current
    WHERE current.version = $2 AND ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM claim))
    ORDER BY e.ord
    RETURNING position, event_id, version
"""
_NOTIFY = "SELECT pg_notify($1, '')"


class _AlreadyStored(Exception):
    """Some of the events being appended are in the store already."""


async def _stored(conn: AsyncConnection, ids: list[UUID]) -> list[RecordedEvent]:
    return _decoded((await conn.exec_driver_sql(_READ_IDS, (ids,))).all())


async def append_in(
    conn: AsyncConnection,
    stream_id: str,
    expected_version: int,
    new: Sequence[NewEvent],
    *,
    command: HandledCommand | None = None,
) -> list[RecordedEvent]:
    """Append inside the caller's transaction, which should commit promptly: until it ends,
    readers wait at its position (and every later transaction's).

    The command id is claimed first (its primary key serialises duplicates of one command).
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
    _check_size(new)
    ids = [e.event_id for e in new]
    params = {
        "channel": NOTIFY_CHANNEL,
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
        if "events_stream_version_key" in str(exc.orig):  # a concurrent append won
            raise ConcurrencyError(stream_id, expected_version, expected_version + 1) from None
        raise
    if not inserted:
        if await _stored(conn, ids):
            raise _AlreadyStored
        if await _taken_in_transaction(conn) + len(new) > MAX_EVENTS_PER_TRANSACTION:
            raise ValueError(
                f"more than {MAX_EVENTS_PER_TRANSACTION} events in one transaction: commit between"
            )
        raise ConcurrencyError(stream_id, expected_version, await _version(conn, stream_id))
    return _recorded(stream_id, new, inserted)


def _check_size(new: Sequence[NewEvent]) -> None:
    if len(new) > MAX_EVENTS_PER_TRANSACTION:
        raise ValueError(
            f"{len(new)} events in one append: at most {MAX_EVENTS_PER_TRANSACTION} per transaction"
        )


async def _version(conn: AsyncConnection, stream_id: str) -> int:
    query = select(func.coalesce(func.max(events.c.version), 0)).where(
        events.c.stream_id == stream_id
    )
    return int((await conn.execute(query)).scalar_one())


def _recorded(
    stream_id: str, new: Sequence[NewEvent], inserted: Sequence[Any]
) -> list[RecordedEvent]:
    return [
        RecordedEvent(
            event_id=e.event_id,
            stream_id=stream_id,
            version=row[2],  # RETURNING position, event_id, version
            position=row[0],
            type=e.type,
            schema_version=e.schema_version,
            data=e.data,
            metadata=e.metadata,
        )
        for e, row in zip(new, inserted, strict=True)
    ]


async def _taken_in_transaction(conn: AsyncConnection) -> int:
    query = text(
        f"SELECT count(*) FROM events WHERE position >= {_TX_BASE}"
        f" AND position < {_TX_BASE} + {MAX_EVENTS_PER_TRANSACTION}"
    )
    return int((await conn.execute(query)).scalar_one())
