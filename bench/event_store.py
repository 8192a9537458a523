"""Event store throughput: append (1 and 16 streams, batches of 1 and 10) and read_all, beside
raw asyncpg and, when installed for the run, pyeventsourcing 9.5.6's PostgreSQL recorder.

Run: uv run python -m bench.event_store [--events 4000] [--repeat 3]
With the anchor: uv run --with 'eventsourcing[postgres]==9.5.6' --with 'psycopg[binary]' \
    python -m bench.event_store
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime
from typing import Any
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


def row(case: str, ours: list[float], raw: list[float], pyes: list[float]) -> list[str]:
    """A table row: medians, and each to the raw baseline measured in the same run."""
    a, b = statistics.median(ours), statistics.median(raw)
    c = statistics.median(pyes) if pyes else None
    return [
        case,
        f"{a:,.0f}",
        f"{b:,.0f}",
        f"{a / b:.2f}",
        f"{c:,.0f}" if c is not None else "-",
        f"{c / b:.2f}" if c is not None else "-",
    ]


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


def anchor() -> Any:
    """The pyeventsourcing column's module, or None when it is not installed for this run."""
    try:
        from bench import pyeventsourcing_recorder
    except ImportError:
        return None
    return pyeventsourcing_recorder


async def main(total: int, repeat: int) -> None:
    pyes = anchor()
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
            ours_runs, raw_runs, pyes_runs = [], [], []
            for _ in range(repeat):
                ours_runs.append(await phoenix_append(store, streams, batch, total))
                raw_runs.append(await raw_append(pool, streams, batch, total))
                if pyes is not None:
                    pyes_runs.append(
                        await asyncio.to_thread(pyes.pyes_append, dsn, streams, batch, total)
                    )
            rows.append(
                row(f"append, {streams} stream(s), batch {batch}", ours_runs, raw_runs, pyes_runs)
            )
        reads = []
        for _ in range(repeat):
            reads.append(
                (
                    await phoenix_read(store, 1000),
                    await raw_read(pool, 1000),
                    await asyncio.to_thread(pyes.pyes_read, dsn, 1000) if pyes else None,
                )
            )
        n, m = reads[0][0][1], reads[0][1][1]
        rows.append(
            row(
                f"read_all, pages of 1000 ({n:,} / {m:,} events)",
                [r[0][0] for r in reads],
                [r[1][0] for r in reads],
                [r[2][0] for r in reads if r[2] is not None],
            )
        )
        table(
            f"Event store, events/s (median of {repeat} runs of {total:,} events; {machine()})",
            ["case", "phoenix", "raw asyncpg", "ratio", "pyeventsourcing 9.5.6", "its ratio"],
            rows,
        )
        console.print(
            "raw asyncpg: same table shape and indexes, no version check, no lock, no dedup, no"
            " NOTIFY.\npyeventsourcing: its PostgresApplicationRecorder (LOCK TABLE per append,"
            " threads for concurrent streams); reads decode each state with json.loads only."
            + ("" if pyes else "\n(not installed for this run: see the module docstring)")
        )
        await pool.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.repeat))
