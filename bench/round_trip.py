"""Command round trip: publish a command → visible in the read API, p50 and p99, beside a bare JetStream hop.

Run: uv run python -m bench.round_trip [--commands 1000] [--stages]

With ``--stages``, each command's path is cut where it can be seen without slowing it: the bus's
publish ack, the append's transaction start (``events.recorded_at``, PostgreSQL's clock, the same
machine's), the relay's publish (a core NATS subscription), and the read API answering.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

import httpx
from faststream.nats import NatsUserPassword
from nats.js.api import StreamConfig
from sqlalchemy import select

from adapters.auth.tokens import issue
from adapters.nats.bus import NatsBus
from adapters.postgres.engine import create_engine
from adapters.postgres.schema import events
from adapters.settings import Settings
from bench.harness import console, machine, table
from domain.identity import Role
from domain.ids import derived_id
from domain.messages import CommandEnvelope
from gateway.local_tokens import ADMIN_TOKEN_FILE
from gateway.runtime import Runtime

T = TypeVar("T")
DATA = {
    "name": "bench",
    "baseline": {"name": "baseline", "template": "process-baseline-v1"},
    "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
    "duration_seconds": 60,
}


def percentile(samples: list[float], q: int) -> float:
    return (
        statistics.quantiles(samples, n=100, method="inclusive")[q - 1]
        if len(samples) > 1
        else samples[0]
    )


async def bare_hop(bus: NatsBus, n: int) -> list[float]:
    """Publish to a stream and receive it from a durable pull consumer: the floor of one bus hop."""
    await bus.js.add_stream(StreamConfig(name="BENCH_HOP", subjects=["bench.hop"]))
    sub = await bus.js.pull_subscribe("bench.hop", durable="bench-hop", stream="BENCH_HOP")
    samples = []
    for i in range(n):
        started = time.perf_counter()
        await bus.js.publish("bench.hop", b"x", headers={"Nats-Msg-Id": f"hop-{i}"})
        [msg] = await sub.fetch(1, timeout=5)
        await msg.ack()
        samples.append(time.perf_counter() - started)
    await bus.js.delete_stream("BENCH_HOP")
    return samples


POLL_S = float(__import__("os").environ.get("BENCH_POLL_S", "0.0005"))
STAGES = ("bus ack", "appended", "relayed", "visible in API")


@dataclass(frozen=True)
class Served:
    """What the client needs of a Phoenix running in another process."""

    api_url: str
    nats_url: str
    nats_user: str
    nats_password: str
    database_url: str
    operator_token: str
    admin_token: str


def serve(pipe: Connection, data_dir: str) -> None:
    """Phoenix (``phoenix up``'s runtime) in a process of its own, until told to stop: a client
    polling in the same event loop would slow the very path it times.
    """

    async def run() -> None:
        settings = Settings.from_env(
            data_dir=Path(data_dir), api_port=0, otlp_port=0, poll_interval=1.0
        )
        runtime = await Runtime.start(settings)
        try:
            security = runtime.servers.nats_security
            operator = issue(
                runtime.real.key, "bench", [Role.OPERATOR], ttl=timedelta(hours=1),
                now=datetime.now(UTC),
            )  # fmt: skip
            pipe.send(
                Served(
                    api_url=runtime.api_url or "",
                    nats_url=runtime.servers.nats_url,
                    nats_user=getattr(security, "username", ""),
                    nats_password=getattr(security, "password", ""),
                    database_url=runtime.servers.database_url,
                    operator_token=operator,
                    admin_token=(settings.data_dir / ADMIN_TOKEN_FILE).read_text().strip(),
                )
            )
            await asyncio.to_thread(pipe.recv)
        finally:
            await runtime.stop()

    asyncio.run(run())


async def phoenix_round_trip(
    served: Served,
    bus: NatsBus,
    api: httpx.AsyncClient,
    n: int,
    stages: dict[str, list[float]] | None = None,
) -> list[float]:
    relayed: dict[str, float] = {}

    async def on_relayed(msg: object) -> None:
        relayed[getattr(msg, "headers", {}).get("Phoenix-Stream-Id", "")] = time.time()

    sub = await bus.nc.subscribe("phoenix.evt.experiment.ExperimentCreated", cb=on_relayed)
    samples, marks = [], []
    for _ in range(n):
        envelope = CommandEnvelope(command_id=uuid4(), type="CreateExperiment", data=DATA)
        experiment = derived_id("experiment", envelope.command_id)
        path = f"/api/v1/experiments/{experiment}"
        started, sent = time.perf_counter(), time.time()
        await bus.send(envelope, token=served.operator_token)
        acked = time.time()
        # Polling is the point: the figure is what a client of the read API experiences.
        while (await api.get(path)).status_code != 200:  # noqa: ASYNC110
            await asyncio.sleep(POLL_S)
        samples.append(time.perf_counter() - started)
        marks.append((f"experiment-{experiment}", sent, acked, time.time()))
    await sub.unsubscribe()
    if stages is not None:
        engine = create_engine(served.database_url, pool_size=1)
        async with engine.connect() as conn:
            query = select(events.c.stream_id, events.c.recorded_at).where(
                events.c.type == "ExperimentCreated"
            )
            appended = {stream: at.timestamp() for stream, at in await conn.execute(query)}
        await engine.dispose()
        for stream, sent, acked, visible in marks:
            times = (acked, appended[stream], relayed.get(stream, visible), visible)
            for name, at in zip(STAGES, times, strict=True):
                stages.setdefault(name, []).append(at - sent)
    return samples


async def client(
    served: Served, n: int, stages: dict[str, list[float]] | None
) -> tuple[list[float], list[float]]:
    bus = NatsBus(
        served.nats_url, security=NatsUserPassword(served.nats_user, served.nats_password)
    )
    await bus.start()
    headers = {"Authorization": f"Bearer {served.admin_token}"}
    try:
        async with httpx.AsyncClient(base_url=served.api_url, timeout=10, headers=headers) as api:
            await phoenix_round_trip(served, bus, api, 20)  # warm-up
            ours = await phoenix_round_trip(served, bus, api, n, stages)
        hop = await bare_hop(bus, n)
    finally:
        await bus.stop()
    return ours, hop


def against_phoenix(client: Callable[[Served], Coroutine[object, object, T]]) -> T:
    """Run ``client`` (in this process) against a Phoenix in a process of its own, then stop it."""
    with tempfile.TemporaryDirectory(prefix="phoenix-bench-") as tmp:
        ours_end, theirs = multiprocessing.get_context("spawn").Pipe()
        phoenix = multiprocessing.get_context("spawn").Process(target=serve, args=(theirs, tmp))
        phoenix.start()
        try:
            return asyncio.run(client(ours_end.recv()))
        finally:
            ours_end.send("stop")
            phoenix.join(timeout=60)


def main(n: int, with_stages: bool) -> None:
    stages: dict[str, list[float]] = {}
    ours, hop = against_phoenix(lambda served: client(served, n, stages if with_stages else None))
    rows = []
    for label, q in (("p50", 50), ("p99", 99)):
        a, b = percentile(ours, q) * 1000, percentile(hop, q) * 1000
        rows.append([label, f"{a:.2f}", f"{b:.2f}", f"{a / b:.1f}"])
    table(
        f"Command round trip, ms ({n:,} commands, sequential; {machine()})",
        ["", "publish → read API", "bare JetStream hop", "ratio"],
        rows,
    )
    console.print(
        "phoenix (its own process): bus → command worker → event store → relay → bus → projection"
        " → API, polled every 0.5 ms by this process.\n"
        "bare hop: JetStream publish → durable pull consumer fetch → ack, same server."
    )
    if with_stages:
        table(
            "Where the round trip goes: ms from publishing, by the stage reached",
            ["stage", "p50", "p99"],
            [
                [name, f"{percentile(stages[name], 50) * 1000:.2f}",
                 f"{percentile(stages[name], 99) * 1000:.2f}"]
                for name in STAGES
            ],
        )  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--stages", action="store_true", help="time each stage too")
    args = parser.parse_args()
    main(args.commands, args.stages)
