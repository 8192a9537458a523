"""Runs the projectors: tail the store by position; tables and checkpoints in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.nats.consumer import Delivery
from adapters.postgres import checkpoints
from adapters.postgres.bulk import copy_rows
from adapters.postgres.dead_letters import record_in
from adapters.postgres.event_store import NOTIFY_CHANNEL, head_position_in, read_all_in
from adapters.postgres.listen import listening
from adapters.wakeup import Wakeup, pause
from domain.catalog import event_subject
from domain.errors import UnknownMessageType
from domain.messages import UNDECODABLE_EVENT, RecordedEvent
from projections.projector import Projector
from projections.rows import Folded, Rows, Statements

log = logging.getLogger(__name__)


# What a projector raises on an event it cannot read, as opposed to a database that failed.
UNREADABLE = (UnknownMessageType, ValidationError, RecursionError)


REPLAY_PAGE = 2_000  # events read at a time by a rebuild


def checkpoint_name(projector: Projector) -> str:
    return f"projection:{projector.name}"


class ProjectionRunner:
    def __init__(
        self,
        engine: AsyncEngine,
        projectors: Sequence[Projector],
        *,
        batch: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self.engine = engine
        self.projectors = list(projectors)
        self.batch = batch
        self.poll_interval = poll_interval
        self.wakeup = Wakeup()
        # How far every projector is known to be: a wake-up with nothing beyond it costs one
        # read, not a transaction that locks the checkpoints (and takes a transaction id,
        # which holds every tail reader's horizon back while it lasts).
        self._known = 0

    async def _advance(self, conn: AsyncConnection, projector: Projector) -> int:
        # The checkpoint row is locked, so two runners never apply the same event twice.
        name = checkpoint_name(projector)
        after = await checkpoints.load(conn, name, lock=True)
        events = await read_all_in(conn, after, self.batch)
        rows = Statements(conn)
        for event in events:
            if event.type == UNDECODABLE_EVENT:
                await _set_aside(conn, name, event, str(event.data["error"]))
                continue
            savepoint = await conn.begin_nested()
            try:
                await projector.apply(rows, event)
            except UNREADABLE as exc:
                # It can never be applied: set it aside (visible as a dead letter), go on.
                await savepoint.rollback()
                await _set_aside(conn, name, event, f"{type(exc).__name__}: {exc}")
            else:
                await savepoint.commit()
        if events:
            await checkpoints.save(conn, name, events[-1].position)
        return len(events)

    async def run_once(self, projector: Projector) -> int:
        async with self.engine.begin() as conn:
            return await self._advance(conn, projector)

    async def _advance_together(
        self, conn: AsyncConnection, rows: Rows | None = None, batch: int | None = None
    ) -> int:
        """Every projector over one read of the log, in the caller's transaction, without a
        savepoint per event: the common case, one commit for all. Raises on anything unusual
        (an event that cannot be read or applied, a failing projector), for the caller to roll
        back and go one projector at a time. The changes go to ``rows`` (by default, as
        statements on the connection).
        """
        rows = rows or Statements(conn)
        names = [checkpoint_name(p) for p in self.projectors]
        # Read tables and checkpoints commit together and are rebuilt from the log: a crash
        # loses both alike, so the commit need not wait for the disk (ADR 0013).
        positions = await checkpoints.load_many(conn, names, wait_for_disk=False)
        events = await read_all_in(conn, min(positions.values()), batch or self.batch)
        for event in events:
            if event.type == UNDECODABLE_EVENT:
                raise _OneByOne(f"the event at position {event.position} cannot be read")
            for name, projector in zip(names, self.projectors, strict=True):
                if event.position > positions[name]:
                    await projector.apply(rows, event)
        if events:
            last = events[-1].position
            saved = {n: max(positions[n], last) for n in names}
            await checkpoints.save_many(conn, saved)
        else:
            saved = positions
        self._known = min(saved.values())  # a hint: another runner may be further on
        return len(events)

    async def _catch_up_together(self) -> int:
        if self._known and await self._head() <= self._known:
            return 0
        total = 0
        while True:
            async with self.engine.begin() as conn:
                n = await self._advance_together(conn)
            total += n
            if n < self.batch:  # a short batch is all there was
                return total

    async def _head(self) -> int:
        async with self.engine.connect() as conn:
            return await head_position_in(conn)

    async def catch_up(self, *, isolate: bool = False) -> int:
        """Apply everything stored so far; returns how many events were applied.

        All projectors together in one transaction per batch; when that fails, one at a time,
        each event under a savepoint (setting aside what cannot be applied). With ``isolate``,
        a projector that fails then is logged and left behind (it retries on the next pass)
        while the others go on; without it, the failure is raised.
        """
        try:
            return await self._catch_up_together()
        except Exception as exc:
            log.info("projecting one projector at a time: %s: %s", type(exc).__name__, exc)
        total = 0
        for projector in self.projectors:
            try:
                # A short batch is all there was: no second transaction to find nothing.
                while (n := await self.run_once(projector)) > 0:
                    total += n
                    if n < self.batch:
                        break
            except Exception:
                if not isolate:
                    raise
                log.exception(
                    "projection %s failed; the others go on, it will retry", projector.name
                )
        return total

    async def rebuild(self) -> int:
        """Empty every projector's tables and replay from zero, all in one transaction, the
        tables folded in memory and written at the end; if that fails, one transaction per
        projector, event by event (setting aside what cannot be applied). Readers see the old
        tables until the new ones commit.
        """
        self._known = 0
        names = [checkpoint_name(p) for p in self.projectors]
        try:
            async with self.engine.begin() as conn:
                await checkpoints.load_many(conn, names)
                for projector in self.projectors:
                    for table in reversed(projector.tables):
                        await conn.execute(delete(table))
                await checkpoints.save_many(conn, dict.fromkeys(names, 0))
                total, folded = 0, Folded(conn, copy_rows)
                while (n := await self._advance_together(conn, folded, REPLAY_PAGE)) > 0:
                    total += n
                await folded.write()
                return total
        except Exception as exc:
            log.info("rebuilding one projector at a time: %s: %s", type(exc).__name__, exc)
        total = 0
        for projector in self.projectors:
            async with self.engine.begin() as conn:
                await checkpoints.load(conn, checkpoint_name(projector), lock=True)
                for table in reversed(projector.tables):
                    await conn.execute(delete(table))
                await checkpoints.save(conn, checkpoint_name(projector), 0)
                while (n := await self._advance(conn, projector)) > 0:
                    total += n
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the read tables current until ``stop``. Woken by the store's NOTIFY as each
        append commits (not after the relay's publish: the tables read the store, not the
        bus), and by whoever else sets ``wakeup`` (the bus); polling is the fallback.
        """
        while not stop.is_set():
            try:
                async with listening(self.engine, NOTIFY_CHANNEL, self.wakeup):
                    await self._run(stop)
            except Exception:  # the database itself is unreachable
                log.exception("projections could not run; will try again")
                await pause(self.wakeup, stop, self.poll_interval)

    async def _run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                applied = await self.catch_up(isolate=True)
            except Exception:  # the database itself is unreachable
                log.exception("projections could not run; will try again")
                applied = 0
            if applied == 0:
                await pause(self.wakeup, stop, self.poll_interval)


class _OneByOne(Exception):
    """Projecting together cannot go on; one projector at a time can (and says why)."""


async def _set_aside(
    conn: AsyncConnection, consumer: str, event: RecordedEvent, error: str
) -> None:
    log.error("%s set aside the event at position %d: %s", consumer, event.position, error)
    delivery = Delivery(
        consumer=consumer,
        subject=event_subject(event.type, event.stream_id),
        body=event.model_dump_json().encode(),
        headers={"Phoenix-Event-Id": str(event.event_id)},
        stream_sequence=event.position,
    )
    await record_in(conn, delivery, error)
