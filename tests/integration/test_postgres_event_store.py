"""The Postgres event store keeps the contract, and no tail reader ever skips an event."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.event_store import NOTIFY_CHANNEL, PostgresEventStore
from domain.messages import RecordedEvent
from handlers.ports import ConcurrencyError
from tests.contracts.event_store import EventStoreContract, new_event


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    def store(self, engine: AsyncEngine) -> PostgresEventStore:
        return PostgresEventStore(engine)


async def test_a_tail_reader_sees_every_event_of_many_concurrent_appenders_once_and_in_order(
    engine: AsyncEngine,
) -> None:
    store = PostgresEventStore(engine)
    appenders, per_appender = 16, 1000
    rng = random.Random(20261122)
    done = asyncio.Event()

    async def append_all(index: int) -> None:
        stream, version = f"load-{index}", 0
        while version < per_appender:
            size = min(rng.choice([1, 1, 2, 5]), per_appender - version)
            try:
                await store.append(
                    stream, version, [new_event(i=index, n=version + k) for k in range(size)]
                )
            except ConcurrencyError:  # pragma: no cover - each appender owns its stream
                raise
            version += size

    seen: list[RecordedEvent] = []

    async def tail() -> None:
        after = 0
        while True:
            finished = done.is_set()
            batch = await store.read_all(after_position=after, limit=137)
            seen.extend(batch)
            if batch:
                after = batch[-1].position
            elif finished:
                return

    reader = asyncio.create_task(tail())
    await asyncio.gather(*(append_all(i) for i in range(appenders)))
    done.set()
    await reader

    final = await store.read_all(after_position=0, limit=appenders * per_appender + 1)
    assert len(final) == appenders * per_appender
    assert [e.event_id for e in seen] == [e.event_id for e in final]
    for index in range(appenders):
        versions = [e.version for e in seen if e.stream_id == f"load-{index}"]
        assert versions == list(range(1, per_appender + 1))


async def test_every_append_wakes_a_listener_after_it_commits(
    engine: AsyncEngine, database_url: str
) -> None:
    store = PostgresEventStore(engine)
    listener = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    heard = asyncio.Queue[str]()
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: heard.put_nowait(args[2]))
    try:
        for version in range(5):
            [appended] = await store.append("experiment-woken", version, [new_event("Noted")])
            await asyncio.wait_for(heard.get(), 10)
            # Woken after the commit: the event is there to be read.
            assert [e.event_id for e in await store.read_all(appended.position - 1, 1)] == [
                appended.event_id
            ]
        await store.notices.settled()
    finally:
        await listener.close()
