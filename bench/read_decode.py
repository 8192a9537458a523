"""Where a read_all page's time goes, per event: the fetch, the page's JSON, pydantic's validation,
with Python's cycle collector running and held off; beside the fetch as the baseline.

Run: uv run python -m bench.read_decode [--events 48000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time

from adapters.postgres.event_store import (
    _PAGE_OF_EVENTS,
    _READ_ROWS,
    PostgresEventStore,
    _envelope,
)
from bench.event_store import new_events
from bench.harness import engine_for, machine, stack, table


async def phases(store: PostgresEventStore, collector: bool) -> tuple[float, float, float]:
    """Microseconds per event: fetching the rows, building the page's JSON, validating it."""
    fetch = build = validate = 0.0
    after = n = 0
    async with store.reader.connect() as conn:
        while True:
            a = time.perf_counter()
            rows = (await conn.exec_driver_sql(_READ_ROWS, (after, 1000))).all()
            b = time.perf_counter()
            if not rows:
                break
            if not collector:
                gc.disable()
            try:
                page = "[" + ",".join(map(_envelope, rows)) + "]"
                c = time.perf_counter()
                decoded = _PAGE_OF_EVENTS.validate_json(page)
                d = time.perf_counter()
            finally:
                gc.enable()
            fetch, build, validate = fetch + b - a, build + c - b, validate + d - c
            after, n = decoded[-1].position, n + len(decoded)
    return fetch / n * 1e6, build / n * 1e6, validate / n * 1e6


async def main(events: int, repeat: int) -> None:
    async with stack() as (_, url):
        engine = await engine_for(url, 2)
        store = PostgresEventStore(engine)
        for i in range(events // 1000):
            await store.append(f"bench-{i}", 0, new_events(1000))
        rows = []
        for collector in (True, False):
            runs = [await phases(store, collector) for _ in range(repeat)]
            fetch, build, validate = (statistics.median(r[k] for r in runs) for k in range(3))
            rows.append(
                [
                    "running" if collector else "held off",
                    f"{fetch:.2f}",
                    f"{build:.2f}",
                    f"{validate:.2f}",
                    f"{validate / fetch:.1f}",
                ]
            )
        await engine.dispose()
    table(
        f"read_all's page, µs per event ({events:,} events, median of {repeat}; {machine()})",
        ["cycle collector", "fetch", "page JSON", "validate", "validate / fetch"],
        rows,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=48_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.repeat))
