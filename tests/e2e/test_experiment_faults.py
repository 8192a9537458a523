"""Experiments under cancellation, handler restarts and a guardrail breach."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import httpx
import pytest
import yaml

from adapters.local_deployer import LocalDeployer
from adapters.reactor_runner import ReactorRunner
from gateway.runtime import Runtime
from handlers.deployment import DeploymentHandler
from pipelines.evaluator import Evaluator
from pipelines.render import render
from tests.e2e.experiments import (
    INTERVAL,
    WITHOUT_REDIS,
    create_and_start,
    history,
    reach,
    send,
    simulated_load,
    spec,
)
from tests.waiting import eventually


def runner(runtime: Runtime, name: str) -> ReactorRunner:
    assert runtime.phoenix is not None
    return runtime.phoenix.reactors[name]


async def torn_down(runtime: Runtime, experiment_id: object) -> list[str]:
    events = await eventually(
        lambda: history(runtime, experiment_id),  # type: ignore[arg-type]
        until=lambda h: any(e.type == "CollectorsTornDown" for e in h),
    )
    return [e.type for e in events]


# Each cancellable phase, and the handler held back so that the experiment waits there.
HELD = {
    "Pending": None,
    "Initializing": "config-generation",
    "Deploying": "deployment",
    "Running": None,
}


@pytest.mark.parametrize("phase", list(HELD))
async def test_an_experiment_can_be_cancelled_in_every_cancellable_phase(
    runtime: Runtime, api: httpx.AsyncClient, phase: str
) -> None:
    held = HELD[phase]
    if held:
        await runner(runtime, held).stop()
    async with simulated_load(runtime):
        if phase == "Pending":
            experiment_id = await create_and_start(runtime, spec(duration=3))
            await send(
                runtime, "CancelExperiment", {"experiment_id": str(experiment_id), "reason": "no"}
            )
        else:
            body = spec(duration=60)
            experiment_id = await create_and_start(runtime, body)
            await reach(api, experiment_id, phase)
            await send(
                runtime,
                "CancelExperiment",
                {"experiment_id": str(experiment_id), "reason": "changed my mind"},
            )
        final = await reach(api, experiment_id, "Cancelled", "Completed", "Failed")
        if held:
            await runner(runtime, held).start()
    # Pending: StartExperiment may win the race; then it is cancelled a phase later.
    assert final == "Cancelled"
    types = await torn_down(runtime, experiment_id)
    assert types.count("ExperimentCancelled") == 1 and types.count("CollectorsTornDown") == 1
    deployer = runtime.real.deployer
    assert isinstance(deployer, LocalDeployer)
    assert not [key for key in deployer.running if key[0] == experiment_id]


@pytest.mark.parametrize(
    "name", ["config-generation", "deployment", "lifecycle", "analysis", "promotion"]
)
async def test_each_handler_can_restart_mid_experiment_and_nothing_is_doubled(
    runtime: Runtime, api: httpx.AsyncClient, name: str
) -> None:
    assert runtime.phoenix is not None
    runners, real = runtime.phoenix.reactors, runtime.real
    await runners[name].stop()
    async with simulated_load(runtime):
        experiment_id = await create_and_start(runtime, spec(duration=3))
        waiting_in = {
            "config-generation": "Initializing",
            "deployment": "Deploying",
            "lifecycle": "Completed",
            "analysis": "Analyzing",
            "promotion": "Completed",
        }[name]
        await reach(api, experiment_id, waiting_in)
        if name == "deployment":
            # A new process: the evaluators it ran are gone with the old one.
            fresh = LocalDeployer(real.sink)
            assert isinstance(real.deployer, LocalDeployer)
            real.sink.load_listeners.remove(real.deployer.feed)
            handler = DeploymentHandler(runtime.store, fresh)
            runners[name] = ReactorRunner(
                runtime.bus,
                real.ports.tracking,
                handler,
                runners[name].dead_letters,
                sender=runners[name].sender,
            )
        if name == "promotion":
            await send(
                runtime,
                "PromoteVariant",
                {"experiment_id": str(experiment_id), "variant": "aggregated"},
            )
        await runners[name].start()
        await reach(api, experiment_id, "Completed")
    expected_last = "VariantPromoted" if name == "promotion" else "CollectorsTornDown"
    events = await eventually(
        lambda: history(runtime, experiment_id),
        until=lambda h: any(e.type == expected_last for e in h),
    )
    counts = Counter(e.type for e in events)
    assert counts["ConfigsGenerated"] == 1 and counts["AnalysisRecorded"] == 1
    assert counts["VariantDeployed"] == 3
    assert all(count == 1 for kind, count in counts.items() if kind != "VariantDeployed")


async def test_the_guardrail_fails_the_experiment_when_a_candidate_loses_a_critical_process(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    deployer = runtime.real.deployer
    assert isinstance(deployer, LocalDeployer)
    async with simulated_load(runtime) as load:
        assert any(p.executable_name == "redis-server" for p in load.fleet.alive())
        experiment_id = await create_and_start(runtime, spec(duration=60))
        await reach(api, experiment_id, "Running")
        # The candidate reports redis-server for a while...
        scrapes = len(load.sent)
        await eventually(lambda: _count(load.sent), until=lambda n: n >= scrapes + 4)
        # ...then starts losing it (as a mis-set filter pushed mid-run would).
        config = render(
            "process-minimal-v1",
            {"collection_interval": INTERVAL, "critical_processes": WITHOUT_REDIS},
        )
        deployer.running[(experiment_id, "aggregated")] = Evaluator(yaml.safe_load(config))
        assert await reach(api, experiment_id, "Failed", "Completed") == "Failed"
    found = (await api.get(f"/api/v1/experiments/{experiment_id}")).json()
    assert "guardrail on aggregated" in found["reason"]
    assert "redis-server" in found["reason"] and "disappeared" in found["reason"]
    types = await torn_down(runtime, experiment_id)
    assert types.count("GuardrailTripped") == 1


async def _count(sent: Sequence[object]) -> int:
    return len(sent)
