"""Helpers for driving experiments through a running Phoenix: commands in, read models out."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

from adapters.load import LoadGenerator
from adapters.local_deployer import LocalDeployer
from domain.experiment.state import Experiment
from domain.identity import Role
from domain.ids import experiment_stream
from domain.messages import CommandEnvelope, RecordedEvent
from domain.telemetry.model import Batch
from gateway.runtime import Runtime
from handlers.experiment_state import load
from simulator.fleet import Fleet
from tests.identities import token
from tests.waiting import eventually

CRITICAL = ["^postgres$", "^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]
WITHOUT_REDIS = ["^postgres$", "^mysqld$", "^mongod$", "^nginx$"]
INTERVAL = "250ms"


def spec(
    *, name: str = "test", duration: int = 3, candidates: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    variables = {"collection_interval": INTERVAL}
    return {
        "name": name,
        "baseline": {
            "name": "baseline",
            "template": "process-baseline-v1",
            "variables": variables,
        },
        "candidates": candidates
        or [
            {"name": "aggregated", "template": "process-aggregated-v1", "variables": variables},
            {
                "name": "drops-redis",
                "template": "process-minimal-v1",
                "variables": {**variables, "critical_processes": WITHOUT_REDIS},
            },
        ],
        "duration_seconds": duration,
        "critical_processes": CRITICAL,
    }


def filter_and_dropper(
    name: str, *, filtered: str, dropper_critical: list[str], interval: str, duration: int
) -> dict[str, Any]:
    """A baseline, a priority filter that keeps every critical process, and a minimal pipeline
    told a different list of critical processes (so it drops the experiment's).
    """
    variables = {"collection_interval": interval}
    return {
        "name": name,
        "baseline": {"name": "baseline", "template": "process-baseline-v1", "variables": variables},
        "candidates": [
            {"name": filtered, "template": "process-priority-filter-v1", "variables": variables},
            {
                "name": "no-postgres",
                "template": "process-minimal-v1",
                "variables": {**variables, "critical_processes": dropper_critical},
            },
        ],
        "duration_seconds": duration,
    }


async def send(
    runtime: Runtime,
    kind: str,
    data: dict[str, Any],
    *,
    actor: str = "tester",
    roles: tuple[Role, ...] = (Role.OPERATOR,),
) -> UUID:
    """Send on the bus, as a program would, with a token from the runtime's own key."""
    command_id = uuid4()
    signed = token(actor, *roles, key=runtime.real.key)
    await runtime.bus.send(
        CommandEnvelope(command_id=command_id, type=kind, data=data), token=signed
    )
    return command_id


async def create_and_start(runtime: Runtime, body: dict[str, Any]) -> UUID:
    experiment_id = uuid4()
    await send(runtime, "CreateExperiment", {**body, "experiment_id": str(experiment_id)})
    await send(runtime, "StartExperiment", {"experiment_id": str(experiment_id)})
    return experiment_id


async def phase_of(api: httpx.AsyncClient, experiment_id: UUID) -> str | None:
    try:
        response = await api.get(f"/api/v1/experiments/{experiment_id}")
    except httpx.TransportError:  # a dropped keep-alive connection on a busy machine: ask again
        return None
    return response.json()["phase"] if response.status_code == 200 else None


async def reach(
    api: httpx.AsyncClient, experiment_id: UUID, *phases: str, deadline: float = 40
) -> str:
    found = await eventually(
        lambda: phase_of(api, experiment_id), until=lambda p: p in phases, deadline=deadline
    )
    assert found is not None
    return found


async def history(runtime: Runtime, experiment_id: UUID) -> list[RecordedEvent]:
    return await runtime.store.read_stream(experiment_stream(experiment_id))


async def state_of(runtime: Runtime, experiment_id: UUID) -> Experiment:
    return await load(runtime.store, experiment_id)


@dataclass
class Load:
    """Simulated hosts scraped on a timer into the local deployer, with what was sent."""

    fleet: Fleet
    sent: list[tuple[int, list[Batch]]] = field(default_factory=list)


@contextlib.asynccontextmanager
async def simulated_load(
    runtime: Runtime, *, hosts: int = 3, interval: float = 0.25, seed: int = 3
) -> AsyncIterator[Load]:
    deployer = runtime.real.deployer
    load = Load(Fleet("realistic", hosts, seed=seed, start=_now_ns()))

    assert isinstance(deployer, LocalDeployer)

    async def scrape_each(fleet: Fleet, at: int, seconds: float) -> None:
        # Each variant scrapes at its own moment; the baseline's scrapes are the ground truth.
        for (_, variant), when, batches in await deployer.scrape_each(fleet, at, seconds):
            if variant == "baseline":
                load.sent.append((when, batches))

    stop = asyncio.Event()
    task = asyncio.create_task(LoadGenerator(load.fleet, interval, each=scrape_each).run(stop))
    try:
        yield load
    finally:
        stop.set()
        await task


def _now_ns() -> int:
    return time.time_ns() - 60 * 1_000_000_000  # the hosts have been up a minute


def git(repository: Path, *args: str) -> str:
    """Run git in the GitOps repository (a quick local command, fine to block on in a test)."""
    return subprocess.run(
        ["git", "-C", str(repository), *args], capture_output=True, text=True, check=True
    ).stdout
