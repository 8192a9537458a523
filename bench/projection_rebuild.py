"""Projection rebuild: every projector from an empty table over a log of real experiment events,
events per second, beside reading the same log with read_all (its decoding included).

Run: uv run python -m bench.projection_rebuild [--experiments 2000] [--repeat 3]

The log: ``--experiments`` experiments, each created, started and cancelled through the command
handler (five events with the command outcomes', all five projectors have work on most).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from uuid import uuid4

from adapters.postgres.event_store import PostgresEventStore
from adapters.projection_runner import REPLAY_PAGE, ProjectionRunner
from bench.harness import console, engine_for, machine, stack, table
from domain.identity import Identity, Role
from domain.messages import CommandEnvelope
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from projections.registry import all_projectors

EVERYONE = Identity("bench", frozenset(Role))
SPEC = {
    "baseline": {"name": "baseline", "template": "process-baseline-v1"},
    "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
    "duration_seconds": 60,
}


async def fill(store: PostgresEventStore, experiments: int) -> None:
    handler = CommandHandler(store, SystemClock())

    async def one(n: int) -> None:
        xid = str(uuid4())
        for kind, data in (
            ("CreateExperiment", {"experiment_id": xid, "name": f"e{n}", **SPEC}),
            ("StartExperiment", {"experiment_id": xid}),
            ("CancelExperiment", {"experiment_id": xid, "reason": "bench"}),
        ):
            envelope = CommandEnvelope(command_id=uuid4(), type=kind, data=data)
            await handler.handle(envelope, EVERYONE)

    for first in range(0, experiments, 16):
        await asyncio.gather(*(one(n) for n in range(first, min(first + 16, experiments))))


async def read_everything(store: PostgresEventStore) -> float:
    started, after, n = time.perf_counter(), 0, 0
    while batch := await store.read_all(after_position=after, limit=REPLAY_PAGE):
        after, n = batch[-1].position, n + len(batch)
    return n / (time.perf_counter() - started)


async def main(experiments: int, repeat: int) -> None:
    async with stack() as (_, url):
        engine = await engine_for(url, 17)
        store = PostgresEventStore(engine)
        await fill(store, experiments)
        events = len(await store.read_all(0, limit=10**7))
        runner = ProjectionRunner(engine, all_projectors())
        rebuilds, reads = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            applied = await runner.rebuild()
            rebuilds.append(applied / (time.perf_counter() - started))
            reads.append(await read_everything(store))
        ours, base = statistics.median(rebuilds), statistics.median(reads)
        table(
            f"Projection rebuild, events/s (median of {repeat}; {events:,} events of "
            f"{experiments:,} experiments, {len(all_projectors())} projectors; {machine()})",
            ["case", "events/s", "read_all events/s", "ratio"],
            [["rebuild, one transaction", f"{ours:,.0f}", f"{base:,.0f}", f"{ours / base:.2f}"]],
        )
        console.print(
            f"read_all: pages of {REPLAY_PAGE:,} (the rebuild's), decoded into events, nothing"
            " applied."
        )
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.experiments, args.repeat))
