"""A whole experiment through the bus: every handler its own durable consumer, load simulated."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.runtime import Runtime
from handlers.report import result_rows
from projections import queries
from tests.e2e.experiments import (
    CRITICAL,
    create_and_start,
    git,
    history,
    reach,
    send,
    simulated_load,
    spec,
    state_of,
)
from tests.waiting import eventually


async def test_an_experiment_runs_from_start_to_a_promotion_commit(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    async with simulated_load(runtime) as load:
        assert any(p.executable_name == "redis-server" for p in load.fleet.alive())
        experiment_id = await create_and_start(runtime, spec())
        assert await reach(api, experiment_id, "Completed", "Failed") == "Completed"
    # Each read model has its own checkpoint: wait for the results view itself.
    results = (
        await eventually(
            lambda: api.get(f"/api/v1/experiments/{experiment_id}/results"),
            until=lambda r: r.json()["available"],
        )
    ).json()
    by_name = {v["variant"]: v for v in results["variants"]}

    aggregated = by_name["aggregated"]
    assert aggregated["verdict"] == "promote", aggregated["reasons"]
    assert aggregated["measures"]["series_reduction"] >= 0.5
    assert aggregated["measures"]["critical_retention"] == 1.0
    assert len(aggregated["intervals"]) >= 5
    dropper = by_name["drops-redis"]
    assert dropper["verdict"] == "reject"
    assert any("lost redis-server" in r for r in dropper["reasons"]), dropper["reasons"]
    assert results["winner"] == "aggregated"

    # The baseline's measures are what the simulator knows it sent.
    state = await state_of(runtime, experiment_id)
    assert state.started_at is not None and state.window_ends_at is not None
    begin = int(state.started_at.timestamp() * 1e6) * 1000
    end = int(state.window_ends_at.timestamp() * 1e6) * 1000
    in_window = [batches for at, batches in load.sent if begin <= at < end]
    truth_series = {
        (rm.resource, m.name, p.attributes)
        for batches in in_window
        for batch in batches
        for rm in batch
        for m in rm.metrics
        for p in m.points
    }
    truth_critical = {
        rm.resource
        for batches in in_window
        for batch in batches
        for rm in batch
        if any(re.search(c, str(dict(rm.resource)["process.executable.name"])) for c in CRITICAL)
    }
    baseline = by_name["baseline"]["measures"]
    assert baseline["series"] == len(truth_series)
    assert baseline["critical_processes"] == len(truth_critical) > 0

    # Promotion: a commit on a branch of the GitOps repository, recorded in the log.
    await send(
        runtime, "PromoteVariant", {"experiment_id": str(experiment_id), "variant": "aggregated"}
    )
    promoted = await eventually(
        lambda: api.get(f"/api/v1/experiments/{experiment_id}"),
        until=lambda r: r.json()["promotion_commit"] is not None,
    )
    commit = promoted.json()["promotion_commit"]
    repository = runtime.settings.gitops_path
    message = git(repository, "log", "-1", "--format=%B", commit)
    assert message.startswith("Promote aggregated for process metrics")
    assert f"phoenix replay experiment-{experiment_id}" in message
    config = git(repository, "show", f"{commit}:otelcol/process-metrics/config.yaml")
    served = await api.get(f"/api/v1/experiments/{experiment_id}/variants/aggregated/config")
    assert served.status_code == 200 and served.text == config

    # Every terminal state tears the collectors down, once.
    await eventually(
        lambda: history(runtime, experiment_id),
        until=lambda h: any(e.type == "CollectorsTornDown" for e in h),
    )
    counts = Counter(e.type for e in await history(runtime, experiment_id))
    assert (
        counts["ConfigsGenerated"] == counts["AnalysisRecorded"] == counts["VariantPromoted"] == 1
    )
    assert counts["VariantDeployed"] == 3 and counts["CollectorsTornDown"] == 1


async def test_the_audit_trail_replayed_gives_the_read_models_results(
    runtime: Runtime, api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    async with simulated_load(runtime):
        experiment_id = await create_and_start(runtime, spec())
        await reach(api, experiment_id, "Completed")
    replayed = result_rows(await state_of(runtime, experiment_id))

    async def results() -> dict[str, Any] | None:
        async with engine.connect() as conn:
            return await queries.experiment_results(conn, experiment_id)

    read = await eventually(results, until=lambda r: r is not None and r["available"])
    assert read is not None
    from_read_model = {v["variant"]: (v["verdict"], v["measures"]) for v in read["variants"]}
    for row in replayed:
        verdict, measures = from_read_model[row["variant"]]
        assert (verdict or "baseline") == row["verdict"]
        assert measures == {k: v for k, v in row.items() if k in measures}


async def test_a_promotion_without_a_promote_verdict_is_rejected_with_the_reason(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    async with simulated_load(runtime):
        experiment_id = await create_and_start(runtime, spec())
        await reach(api, experiment_id, "Completed")
    command_id = await send(
        runtime, "PromoteVariant", {"experiment_id": str(experiment_id), "variant": "drops-redis"}
    )
    outcome = await eventually(
        lambda: api.get(f"/api/v1/commands/{command_id}"),
        until=lambda r: r.json()["status"] != "pending",
    )
    assert outcome.json()["status"] == "rejected"
    assert "has verdict reject, not promote" in outcome.json()["reason"]
    assert (await api.get(f"/api/v1/experiments/{experiment_id}")).json()[
        "promotion_commit"
    ] is None
