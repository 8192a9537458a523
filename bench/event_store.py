"""Event store throughput: append (1 and 16 streams, batches of 1 and 10) and read_all, beside raw asyncpg.

Run: uv run python -m bench.event_store [--events 4000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg

from adapters.postgres.event_store import PostgresEventStore
from bench.harness import console, engine_for, machine, stack, table
from domain.messages import EventMetadata, NewEvent

RAW_TABLE = """
CREATE TABLE raw_events (LIKE events INCLUDING ALL)
"""
META = EventMetadata(actor="bench", occurred_at=datetime(2026, 11, 22, tzinfo=UTC))
DATA = {"variant": "aggregated", "reason": "x" * 64, "n": 1}


def new_events(n: int) -> list[NewEvent]:
    return [
        NewEvent(event_id=uuid4(), type="Benchmarked", data=DATA, metadata=META) for _ in range(n)
    ]


async def phoenix_append(store: PostgresEventStore, streams: int, batch: int, total: int) -> float:
    per_stream = total // streams

    async def one(stream: str) -> None:
        version = 0
        while version < per_stream:
            await store.append(stream, version, new_events(batch))
            version += batch

    started = time.perf_counter()
    await asyncio.gather(*(one(f"bench-{uuid4()}") for _ in range(streams)))
    return per_stream * streams / (time.perf_counter() - started)


async def raw_append(pool: asyncpg.Pool, streams: int, batch: int, total: int) -> float:
    per_stream = total // streams
    meta = META.model_dump_json()

    async def one(stream: str) -> None:
        async with pool.acquire() as conn:
            version = 0
            while version < per_stream:
                rows = [
                    (uuid4(), stream, version + i + 1, "Benchmarked", 1, json.dumps(DATA), meta)
                    for i in range(batch)
                ]
                async with conn.transaction():
                    await conn.executemany(
                        "INSERT INTO raw_events (event_id, stream_id, version, type, schema_version, data, metadata)"
                        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)",
                        rows,
                    )
                version += batch

    started = time.perf_counter()
    await asyncio.gather(*(one(f"bench-{uuid4()}") for _ in range(streams)))
    return per_stream * streams / (time.perf_counter() - started)


async def phoenix_read(store: PostgresEventStore, page: int) -> tuple[float, int]:
    started, after, n = time.perf_counter(), 0, 0
    while batch := await store.read_all(after_position=after, limit=page):
        after, n = batch[-1].position, n + len(batch)
    return n / (time.perf_counter() - started), n


async def raw_read(pool: asyncpg.Pool, page: int) -> tuple[float, int]:
    started, after, n = time.perf_counter(), 0, 0
    async with pool.acquire() as conn:
        while rows := await conn.fetch(
            "SELECT position, event_id, stream_id, version, type, schema_version, data, metadata"
            " FROM raw_events WHERE position > $1 ORDER BY position LIMIT $2",
            after,
            page,
        ):
            after, n = rows[-1]["position"], n + len(rows)
    return n / (time.perf_counter() - started), n


async def main(total: int, repeat: int) -> None:
    async with stack() as (_, url):
        engine = await engine_for(url, 17)
        store = PostgresEventStore(engine)
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        pool = await asyncpg.create_pool(dsn, min_size=16, max_size=16)
        await pool.execute(RAW_TABLE)
        await store.append("warm-up", 0, new_events(10))
        rows = []
        for streams, batch in ((1, 1), (1, 10), (16, 1), (16, 10)):
            # Alternating runs, median of each: the machine is shared and noisy.
            ours_runs, raw_runs = [], []
            for _ in range(repeat):
                ours_runs.append(await phoenix_append(store, streams, batch, total))
                raw_runs.append(await raw_append(pool, streams, batch, total))
            ours, raw = statistics.median(ours_runs), statistics.median(raw_runs)
            rows.append(
                [
                    f"append, {streams} stream(s), batch {batch}",
                    f"{ours:,.0f}",
                    f"{raw:,.0f}",
                    f"{ours / raw:.2f}",
                ]
            )
        reads = [
            (await phoenix_read(store, 1000), await raw_read(pool, 1000)) for _ in range(repeat)
        ]
        ours_read, n = statistics.median(r[0][0] for r in reads), reads[0][0][1]
        raw_read_rate, m = statistics.median(r[1][0] for r in reads), reads[0][1][1]
        rows.append(
            [
                f"read_all, pages of 1000 ({n:,} / {m:,} events)",
                f"{ours_read:,.0f}",
                f"{raw_read_rate:,.0f}",
                f"{ours_read / raw_read_rate:.2f}",
            ]
        )
        table(
            f"Event store, events/s (median of {repeat} runs of {total:,} events; {machine()})",
            ["case", "phoenix", "raw asyncpg", "ratio"],
            rows,
        )
        console.print(
            "raw asyncpg: same table shape and indexes, no version check, no lock, no dedup, no NOTIFY."
        )
        await pool.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.repeat))
