"""Killed servers and vanished streams: Phoenix notices, says so on /readyz, and recovers by itself."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.embedded.servers import Servers
from adapters.nats.streams import stream_configs
from gateway.runtime import Runtime
from tests.conftest import nats_url_of
from tests.e2e.experiments import create_and_start, reach, simulated_load, spec
from tests.processes import servers_on
from tests.runtimes import admin_headers, settings_for
from tests.waiting import eventually


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[Runtime]:
    """A whole Phoenix on servers of its own, which the tests may kill."""
    settings = settings_for(tmp_path, supervise_interval=0.2)
    runtime = await Runtime.start(settings)
    yield runtime
    await runtime.stop()


async def accepted_after(api: httpx.AsyncClient, began: float) -> float:
    """Send commands until one is accepted; the seconds it took since ``began``."""

    async def try_once() -> str:
        with contextlib.suppress(httpx.HTTPError):
            sent = await api.post(
                "/api/v1/commands", json={"type": "CreateExperiment", "data": spec()}
            )
            if sent.status_code == 202:
                command_id = sent.json()["command_id"]
                return str(
                    (
                        await eventually(
                            lambda: api.get(f"/api/v1/commands/{command_id}"),
                            until=lambda r: (
                                r.status_code == 200 and r.json()["status"] != "pending"
                            ),
                            deadline=20,
                        )
                    ).json()["status"]
                )
        return "not taken"

    assert await eventually(try_once, until=lambda s: s == "accepted", deadline=60) == "accepted"
    return time.monotonic() - began


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


async def test_killed_nats_and_postgres_are_restarted_and_commands_go_on(
    embedded: Runtime, report: Callable[[str], None]
) -> None:
    data_dir = embedded.settings.data_dir
    async with httpx.AsyncClient(
        base_url=str(embedded.api_url),
        timeout=10,
        headers=admin_headers(embedded.settings.data_dir),
    ) as api:
        times: dict[str, float] = {}
        for server in ("nats-server", "postgres"):
            [pid] = servers_on(data_dir)[server]
            kill(pid)
            times[server] = await accepted_after(api, time.monotonic())
            assert len(servers_on(data_dir)[server]) == 1
        ready = await eventually(lambda: api.get("/readyz"), until=lambda r: r.status_code == 200)
        assert ready.status_code == 200
    report(
        f"faults: killed nats-server, commands accepted again after {times['nats-server']:.1f}s; "
        f"killed postgres, after {times['postgres']:.1f}s"
    )


async def test_streams_deleted_over_nats_are_declared_again_and_commands_go_on(
    embedded: Runtime, report: Callable[[str], None]
) -> None:
    async with httpx.AsyncClient(
        base_url=str(embedded.api_url),
        timeout=10,
        headers=admin_headers(embedded.settings.data_dir),
    ) as api:
        began = time.monotonic()
        for config in stream_configs():
            assert config.name is not None
            await embedded.bus.js.delete_stream(config.name)
        took = await accepted_after(api, began)
    report(f"faults: streams deleted, commands accepted again after {took:.1f}s")


async def test_readyz_names_what_is_missing_on_the_bus(
    servers: Servers, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(
        tmp_path,
        database_url=database_url,
        nats_url=nats_url_of(servers),
        supervise_interval=3600,  # no healing during this test: readiness must see the loss
    )
    runtime = await Runtime.start(settings)
    try:
        async with httpx.AsyncClient(
            base_url=str(runtime.api_url),
            timeout=10,
            headers=admin_headers(runtime.settings.data_dir),
        ) as api:
            assert (await api.get("/readyz")).status_code == 200
            await runtime.bus.js.delete_stream("PHOENIX_COMMANDS")
            answer = await api.get("/readyz")
            assert answer.status_code == 503
            checks: dict[str, Any] = answer.json()["checks"]
            assert "stream PHOENIX_COMMANDS" in checks["bus"]
            assert "consumer command-worker" in checks["bus"]
            assert await runtime.bus.heal() == [
                "stream PHOENIX_COMMANDS",
                "consumer command-worker",
            ]
            assert (await api.get("/readyz")).status_code == 200
    finally:
        await runtime.stop()


async def test_an_experiment_completes_though_nats_and_postgres_die_while_it_runs(
    embedded: Runtime,
) -> None:
    data_dir = embedded.settings.data_dir
    async with (
        httpx.AsyncClient(
            base_url=str(embedded.api_url),
            timeout=10,
            headers=admin_headers(embedded.settings.data_dir),
        ) as api,
        simulated_load(embedded),
    ):
        experiment_id = await create_and_start(embedded, spec(duration=8))
        await reach(api, experiment_id, "Running", deadline=60)
        for server in ("nats-server", "postgres"):
            [pid] = servers_on(data_dir)[server]
            kill(pid)
            await eventually(partial(_count, data_dir, server), until=lambda n: n == 1, deadline=30)
        final = await reach(api, experiment_id, "Completed", "Failed", deadline=120)
        reason = (await api.get(f"/api/v1/experiments/{experiment_id}")).json().get("reason")
    assert final == "Completed", reason


async def _count(data_dir: Path, server: str) -> int:
    return len(servers_on(data_dir)[server])
