"""Phoenix's CRDs on a real kube-apiserver: accepted as structural, and its validation is theirs.

The API server itself validates the custom resources here: the OpenAPI schema made from the
pydantic models (paths in its refusals), defaults, the CEL rules (an experiment's spec is
immutable; a pipeline names a config or a template) and the printer columns `kubectl get` shows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.kube.crds import GROUP, VERSION
from tests.kube import KubeServers, with_crds

NAMESPACE = "phoenix-crds"
MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
async def api(kube: KubeServers) -> AsyncIterator[httpx.AsyncClient]:
    """The API server as its admin, with Phoenix's CRDs established and a namespace for tests."""
    async with with_crds(kube, NAMESPACE) as http:
        yield http


def path(plural: str, name: str = "") -> str:
    return f"/apis/{GROUP}/{VERSION}/namespaces/{NAMESPACE}/{plural}" + (f"/{name}" if name else "")


def experiment(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Experiment",
        "metadata": {"name": name},
        "spec": {
            "name": "halve process metrics",
            "baseline": {"name": "baseline", "template": "process-baseline-v1"},
            "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
            "duration_seconds": 600,
            "critical_processes": ["^postgres$"],
            **spec,
        },
    }


async def create(http: httpx.AsyncClient, plural: str, body: dict[str, Any]) -> httpx.Response:
    return await http.post(path(plural), json=body)


async def test_an_experiment_is_stored_with_its_defaults(api: httpx.AsyncClient) -> None:
    created = await create(api, "experiments", experiment("defaults"))
    assert created.status_code == 201, created.text
    spec = created.json()["spec"]
    assert spec["success_criteria"]["min_series_reduction"] == 0.5
    assert spec["success_criteria"]["min_intervals"] == 5
    assert spec["allow_critical_loss"] is False


async def test_an_invalid_experiment_is_refused_by_the_api_server_with_each_path(
    api: httpx.AsyncClient,
) -> None:
    body = experiment(
        "invalid", duration_seconds=0, candidates=[{"name": "Not A Label", "template": "x"}]
    )
    refused = await create(api, "experiments", body)
    assert refused.status_code == 422
    said = refused.json()["message"]
    assert "spec.duration_seconds: Invalid value: 0" in said
    assert "spec.candidates[0].name" in said


async def test_an_experiment_s_spec_cannot_change_once_created(api: httpx.AsyncClient) -> None:
    assert (await create(api, "experiments", experiment("immutable"))).status_code == 201
    changed = await api.patch(
        path("experiments", "immutable"), json={"spec": {"duration_seconds": 60}}, headers=MERGE
    )
    assert changed.status_code == 422
    assert "an experiment's spec is immutable once created" in changed.json()["message"]


async def test_kubectl_get_shows_phase_verdict_winner_reduction_and_age(
    api: httpx.AsyncClient,
) -> None:
    assert (await create(api, "experiments", experiment("columns"))).status_code == 201
    status = {"phase": "Completed", "verdict": "promote", "winner": "agg"}
    patched = await api.patch(
        path("experiments", "columns") + "/status",
        json={"status": {**status, "winnerSeriesReduction": "-66.9%"}},
        headers=MERGE,
    )
    assert patched.status_code == 200, patched.text
    table = (
        await api.get(
            path("experiments", "columns"),
            headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
        )
    ).json()
    columns = [c["name"] for c in table["columnDefinitions"]]
    assert columns == ["Name", "Phase", "Verdict", "Winner", "Reduction", "Age"]
    assert table["rows"][0]["cells"][:5] == ["columns", "Completed", "promote", "agg", "-66.9%"]


async def test_a_process_pipeline_names_a_config_or_a_template(api: httpx.AsyncClient) -> None:
    def pipeline(name: str, **spec: Any) -> dict[str, Any]:
        return {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ProcessPipeline",
            "metadata": {"name": name},
            "spec": spec,
        }

    created = await create(
        api, "processpipelines", pipeline("templated", template="process-topk-v1")
    )
    assert created.status_code == 201, created.text
    assert created.json()["spec"]["image"].startswith("otel/opentelemetry-collector-contrib:")
    refused = await create(
        api, "processpipelines", pipeline("both", template="process-topk-v1", config="a: 1")
    )
    assert refused.status_code == 422
    assert "give either config or template, not both or neither" in refused.json()["message"]
