"""`phoenix loadsim start`, run as a real process on the real clock, feeds a real sink."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

from adapters.otlp_sink import OtlpSink
from domain.telemetry.model import Batch
from tests.waiting import eventually


async def test_live_load_reaches_the_sink_stamped_with_the_current_time() -> None:
    sink = OtlpSink()
    received: list[tuple[list[Batch], int]] = []

    async def on_load(batches: list[Batch], at: int) -> None:
        received.append((batches, at))

    sink.load_listeners.append(on_load)
    await sink.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
    started = time.time_ns()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from gateway.cli import main; main()",
        "loadsim", "start", "--hosts", "2", "--interval", "1s", "--endpoint", sink.endpoint,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await eventually(lambda: _count(received), until=lambda n: n >= 4, deadline=120)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
        await sink.stop()
    assert process.returncode == 0, err.decode()
    stamps = [
        dp.time_unix_nano
        for batches, _ in received
        for batch in batches
        for rm in batch
        for metric in rm.metrics
        for dp in metric.points
    ]
    # Points are stamped now (each host scrapes at its own phase within the interval), never
    # at a fixed simulation epoch that may lie in the future or the past of this run.
    assert stamps
    assert all(started - 2 * 10**9 <= t <= time.time_ns() + 11 * 10**9 for t in stamps)


async def _count(received: list[tuple[list[Batch], int]]) -> int:
    return sum(len(batches) for batches, _ in received)
