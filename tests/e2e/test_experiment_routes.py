"""The experiment read routes: results, configs and templates, with problem details for mistakes."""

from __future__ import annotations

from uuid import uuid4

import httpx

from gateway.runtime import Runtime
from tests.e2e.experiments import reach, send, spec
from tests.waiting import eventually


async def test_the_template_catalog_lists_every_template_with_its_variables(
    api: httpx.AsyncClient,
) -> None:
    listed = (await api.get("/api/v1/templates")).json()["items"]
    names = [t["name"] for t in listed]
    assert "process-topk-v1" in names and "process-baseline-v1" in names
    one = (await api.get("/api/v1/templates/process-topk-v1")).json()
    assert "keep_command_lines" in [v["name"] for v in one["variables"]]
    assert "transform/strip_identity" in one["rendered_with_defaults"]
    missing = await api.get("/api/v1/templates/nope")
    assert missing.status_code == 404 and "known:" in missing.json()["detail"]


async def test_results_and_configs_answer_404_with_a_reason_until_they_exist(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    unknown = uuid4()
    assert (await api.get(f"/api/v1/experiments/{unknown}/results")).status_code == 404
    experiment_id = uuid4()
    await send(runtime, "CreateExperiment", {**spec(), "experiment_id": str(experiment_id)})
    await reach(api, experiment_id, "Pending")
    # Each read model has its own checkpoint: wait for the variants view itself.
    pending = (
        await eventually(
            lambda: api.get(f"/api/v1/experiments/{experiment_id}/results"),
            until=lambda r: len(r.json()["variants"]) == 3,
        )
    ).json()
    assert pending["available"] is False and [v["variant"] for v in pending["variants"]] == [
        "baseline",
        "aggregated",
        "drops-redis",
    ]
    config = await api.get(f"/api/v1/experiments/{experiment_id}/variants/aggregated/config")
    assert config.status_code == 404 and "not generated yet" in config.json()["detail"]
    other = await api.get(f"/api/v1/experiments/{experiment_id}/variants/nope/config")
    assert other.status_code == 404 and "has no variant 'nope'" in other.json()["detail"]
    bad = await api.get("/api/v1/experiments/not-a-uuid/results")
    assert bad.status_code == 400
