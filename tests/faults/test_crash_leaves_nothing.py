"""A crash of `phoenix up` leaves one of everything: never two servers on one store."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

from adapters.embedded.nats_server import EmbeddedNats
from tests.processes import PhoenixProcess, servers_on
from tests.waiting import eventually

TRIALS = 5


async def test_after_each_kill_the_restart_runs_one_nats_and_one_postgres_and_a_clean_stop_none(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    phoenix = PhoenixProcess(data_dir)

    async def running() -> dict[str, list[int]]:
        return servers_on(data_dir)

    try:
        for _ in range(TRIALS):
            phoenix.start()
            await asyncio.to_thread(phoenix.wait_ready)
            assert {k: len(v) for k, v in servers_on(data_dir).items()} == {
                "nats-server": 1,
                "postgres": 1,
            }
            await asyncio.to_thread(phoenix.kill)
            # Its nats-server dies with it; PostgreSQL (a daemon) stays, for the next to adopt.
            await eventually(running, until=lambda s: not s["nats-server"], deadline=30)
        phoenix.start()
        await asyncio.to_thread(phoenix.wait_ready)
        assert {k: len(v) for k, v in servers_on(data_dir).items()} == {
            "nats-server": 1,
            "postgres": 1,
        }
        assert await asyncio.to_thread(phoenix.stop) == 0
        # A clean stop stops what it adopted as well as what it started.
        await eventually(
            running, until=lambda s: not s["nats-server"] and not s["postgres"], deadline=30
        )
    finally:
        if phoenix.process is not None and phoenix.process.poll() is None:
            await asyncio.to_thread(phoenix.kill)
        # Whatever a failed run left, so the machine is clean for the next test.
        for pids in servers_on(data_dir).values():
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


async def test_a_nats_server_left_on_the_store_is_stopped_before_a_new_one_starts(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "nats"
    left = EmbeddedNats(data_dir)
    left.start()
    [left_pid] = servers_on(data_dir)["nats-server"]
    orphan, left._process = left._process, None  # as if its Phoenix had died without stopping it
    fresh = EmbeddedNats(data_dir)
    fresh.start()
    try:
        running = servers_on(data_dir)["nats-server"]
        assert len(running) == 1
        assert left_pid not in running
    finally:
        fresh.stop()
        if orphan is not None:
            orphan.wait(10)
