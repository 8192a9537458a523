"""kill -9 of Phoenix halfway through a window: what was measured stays, the verdict holds."""

from __future__ import annotations

import asyncio
import signal
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from tests.e2e.experiments import filter_and_dropper
from tests.processes import PhoenixProcess, start_load, wait_until_sending
from tests.runtimes import admin_headers
from tests.waiting import eventually

DURATION = 16
INTERVAL = "1s"
NO_POSTGRES = ["^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]


def experiment(experiment_id: str) -> dict[str, Any]:
    return {
        **filter_and_dropper(
            "restart mid-window",
            filtered="filtered",
            dropper_critical=NO_POSTGRES,
            interval=INTERVAL,
            duration=DURATION,
        ),
        "experiment_id": experiment_id,
        "critical_processes": ["^postgres$", "^nginx$"],
    }


async def run(tmp_path: Path, name: str, *, kill_at: float | None) -> dict[str, Any]:
    """One experiment on its own `phoenix up` with live load; killed at ``kill_at`` of the window."""
    phoenix = PhoenixProcess(tmp_path / name, {"PHOENIX_DEPLOYER": "local"})
    phoenix.start()
    load: subprocess.Popen[bytes] | None = None
    try:
        await asyncio.to_thread(phoenix.wait_ready)
        load = start_load(tmp_path / name, phoenix.otlp_url, "--hosts", "4", "--interval", INTERVAL)
        # Its first scrapes must not miss the window's first intervals (it takes seconds to start).
        await asyncio.to_thread(wait_until_sending, load)
        experiment_id = str(uuid4())
        async with httpx.AsyncClient(
            base_url=phoenix.api_url, timeout=10, headers=admin_headers(phoenix.data_dir)
        ) as api:
            for kind, data in (
                ("CreateExperiment", experiment(experiment_id)),
                ("StartExperiment", {"experiment_id": experiment_id}),
            ):
                assert (
                    await api.post("/api/v1/commands", json={"type": kind, "data": data})
                ).status_code == 202
            running = await eventually(
                lambda: api.get(f"/api/v1/experiments/{experiment_id}"),
                until=lambda r: r.status_code == 200 and r.json()["phase"] == "Running",
                deadline=60,
            )
        ends = datetime.fromisoformat(running.json()["window_ends_at"]).timestamp()
        killed_at = None
        if kill_at is not None:
            moment = ends - DURATION * (1 - kill_at)
            await eventually(_now, until=lambda now: now >= moment, deadline=DURATION)
            await asyncio.to_thread(phoenix.kill)
            killed_at = time.time()
            phoenix.start()
            await asyncio.to_thread(phoenix.wait_ready)
        async with httpx.AsyncClient(
            base_url=phoenix.api_url, timeout=10, headers=admin_headers(phoenix.data_dir)
        ) as api:
            results = (
                await eventually(
                    lambda: api.get(f"/api/v1/experiments/{experiment_id}/results"),
                    until=lambda r: r.status_code == 200 and r.json()["available"],
                    deadline=120,
                )
            ).json()
        return {"results": results, "killed_at": killed_at, "ends": ends}
    finally:
        if load is not None:
            load.send_signal(signal.SIGTERM)
            load.wait(30)
        if phoenix.process is not None and phoenix.process.poll() is None:
            await asyncio.to_thread(phoenix.stop)


async def _now() -> float:
    return time.time()


def verdicts(results: dict[str, Any]) -> dict[str, str | None]:
    return {v["variant"]: v["verdict"] for v in results["variants"] if v["role"] != "baseline"}


def baseline_intervals(results: dict[str, Any]) -> list[dict[str, Any]]:
    [baseline] = [v for v in results["variants"] if v["role"] == "baseline"]
    return list(baseline["intervals"])


async def test_a_restart_mid_window_keeps_what_was_measured_and_gives_the_same_verdicts(
    tmp_path: Path, report: Callable[[str], None]
) -> None:
    steady = await run(tmp_path, "steady", kill_at=None)
    restarted = await run(tmp_path, "restarted", kill_at=0.5)
    assert verdicts(steady["results"]) == {"filtered": "promote", "no-postgres": "reject"}
    assert verdicts(restarted["results"]) == verdicts(steady["results"])
    # Every interval that had closed before the kill still holds what was measured in it.
    intervals = baseline_intervals(restarted["results"])
    length = DURATION / len(intervals)
    start = restarted["ends"] - DURATION
    closed_before_kill = [
        # closed, past the recorder's grace (2 s) and its next flush (0.5 s): written to the store
        i
        for i in intervals
        if start + (i["index"] + 1) * length + 3 <= restarted["killed_at"]
    ]
    assert len(closed_before_kill) >= 3
    # Scrapes arrive once a second and intervals are a second long, so an interval holds 0, 1
    # or 2 of them (arrival jitter); together, the closed ones hold every scrape made then.
    per_scrape = statistics.median(
        i["datapoints_per_minute"] for i in baseline_intervals(steady["results"]) if i["series"]
    )
    kept = sum(i["datapoints_per_minute"] for i in closed_before_kill)
    assert kept >= (len(closed_before_kill) - 1) * per_scrape, (intervals, per_scrape)
    measured = sum(1 for i in intervals if i["series"] > 0)
    report(
        f"faults: kill -9 at half the window: {measured} of {len(intervals)} intervals measured "
        f"({len(closed_before_kill)} closed before the kill, all kept); verdicts "
        f"{verdicts(restarted['results'])} as without the restart"
    )
