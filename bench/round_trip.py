"""Command round trip: publish a command → visible in the read API, p50 and p99, beside a bare JetStream hop.

Run: uv run python -m bench.round_trip [--commands 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
from nats.js.api import StreamConfig

from adapters.auth.tokens import issue
from adapters.nats.bus import NatsBus
from adapters.settings import Settings
from bench.harness import console, machine, table
from domain.identity import Role
from domain.ids import derived_id
from domain.messages import CommandEnvelope
from gateway.local_tokens import ADMIN_TOKEN_FILE
from gateway.runtime import Runtime

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


async def phoenix_round_trip(runtime: Runtime, api: httpx.AsyncClient, n: int) -> list[float]:
    now = datetime.now(UTC)
    signed = issue(runtime.real.key, "bench", [Role.OPERATOR], ttl=timedelta(hours=1), now=now)
    samples = []
    for _ in range(n):
        envelope = CommandEnvelope(command_id=uuid4(), type="CreateExperiment", data=DATA)
        path = f"/api/v1/experiments/{derived_id('experiment', envelope.command_id)}"
        started = time.perf_counter()
        await runtime.bus.send(envelope, token=signed)
        # Polling is the point: the figure is what a client of the read API experiences.
        while (await api.get(path)).status_code != 200:  # noqa: ASYNC110
            await asyncio.sleep(0.0005)
        samples.append(time.perf_counter() - started)
    return samples


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="phoenix-bench-") as tmp:
        settings = Settings.from_env(data_dir=Path(tmp), api_port=0, otlp_port=0, poll_interval=1.0)
        runtime = await Runtime.start(settings)
        try:
            token = (settings.data_dir / ADMIN_TOKEN_FILE).read_text().strip()
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                base_url=runtime.api_url or "", timeout=10, headers=headers
            ) as api:
                await phoenix_round_trip(runtime, api, 20)  # warm-up
                ours = await phoenix_round_trip(runtime, api, n)
            hop = await bare_hop(runtime.bus, n)
        finally:
            await runtime.stop()
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
        "phoenix: bus → command worker → event store → relay → bus → projection → API (polled every 0.5 ms).\n"
        "bare hop: JetStream publish → durable pull consumer fetch → ack, same server."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=1000)
    asyncio.run(main(parser.parse_args().commands))
