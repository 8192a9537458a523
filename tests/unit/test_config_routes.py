"""The builder's routes: the components Phoenix knows, live validation, estimates on simulated hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
import yaml

from adapters.memory.bus import InMemoryBus
from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.read_model import InMemoryReadModel
from adapters.metrics import Metrics
from domain.identity import Role
from gateway.api.app import create_app
from gateway.api.dependencies import ApiDeps
from pipelines.render import render
from tests.identities import VERIFIER, bearer

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    store = InMemoryEventStore()
    deps = ApiDeps(
        InMemoryReadModel(store), store, InMemoryBus(), Metrics(), VERIFIER, InMemoryDeadLetters()
    )
    transport = httpx.ASGITransport(app=cast(Any, create_app(deps)))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://phoenix", headers=bearer("vera", Role.VIEWER)
    ) as client:
        yield client


def aggregated(**changes: Any) -> str:
    config = yaml.safe_load(render("process-aggregated-v1", {"collection_interval": "10s"}))
    config["processors"].update(changes)
    return yaml.safe_dump(config)


async def test_the_palette_is_what_the_validator_knows_and_says_what_the_evaluator_runs(
    api: httpx.AsyncClient,
) -> None:
    found = (await api.get("/api/v1/configs/components")).json()
    processors = {k["type"]: k for k in found["processors"]}
    assert processors["filter"]["evaluated"] is True
    assert processors["memory_limiter"]["evaluated"] is True
    assert "metrics" in processors["filter"]["keys"]
    assert {k["type"] for k in found["receivers"]} >= {"hostmetrics", "otlp"}
    # Aliases are listed with their kind, not as kinds of their own.
    assert "otlp_http" not in {k["type"] for k in found["exporters"]}
    assert "realistic" in found["profiles"] and "high-churn" in found["profiles"]


async def test_a_valid_config_is_valid_and_estimable(api: httpx.AsyncClient) -> None:
    answer = await api.post("/api/v1/configs/validate", json={"config": aggregated()})
    assert answer.status_code == 200
    assert answer.json() == {"valid": True, "problems": [], "not_estimable": None}


async def test_each_problem_of_an_invalid_config_is_given_at_its_path(
    api: httpx.AsyncClient,
) -> None:
    broken = aggregated(**{"filter/x": {"metrics": {"datapoint": ["not ottl at all ("]}}})
    broken = broken.replace("limit_mib: 200", "limit_mib: lots")
    found = (await api.post("/api/v1/configs/validate", json={"config": broken})).json()
    assert found["valid"] is False
    paths = [p["path"] for p in found["problems"]]
    assert any(p.startswith("processors.filter/x.metrics.datapoint") for p in paths), paths
    assert "processors.memory_limiter.limit_mib" in paths


async def test_yaml_that_does_not_parse_is_a_problem_with_its_line(api: httpx.AsyncClient) -> None:
    found = (await api.post("/api/v1/configs/validate", json={"config": "a: [b"})).json()
    assert found["valid"] is False
    assert found["problems"][0]["path"].startswith("line ")


async def test_an_estimate_predicts_the_reduction_and_names_the_critical_processes_lost(
    api: httpx.AsyncClient,
) -> None:
    body = {"config": aggregated(), "hosts": 2, "duration_seconds": 60, "seed": 4}
    kept = (await api.post("/api/v1/configs/estimate", json=body)).json()
    assert kept["series_reduction"] > 0.3
    assert kept["critical_retention"] == 1.0
    assert kept["critical_lost"] == []
    assert kept["basis"] == "2 simulated realistic hosts for 60s (seed 4), scraped every 10s"

    # A pipeline told only nginx is critical, on hosts that run PostgreSQL too.
    minimal = render("process-minimal-v1", {"critical_processes": ["^nginx$"]})
    lost = (
        await api.post(
            "/api/v1/configs/estimate",
            json={
                "config": minimal,
                "hosts": 3,
                "seed": 3,
                "duration_seconds": 60,
                "critical_processes": ["^postgres$", "^nginx$"],
            },
        )
    ).json()
    assert 0 < lost["critical_retention"] < 1.0
    assert lost["critical_lost"] == ["postgres"]


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"profile": "nope"}, 400, "profile: unknown 'nope'"),
        ({"critical_processes": ["(a"]}, 400, "critical_processes[0]"),
        ({"hosts": 100, "duration_seconds": 3600}, 400, "host scrapes"),
        ({"config": "receivers: {}"}, 422, "the config is invalid"),
        ({"hosts": 0}, 400, "hosts"),
    ],
)
async def test_an_estimate_the_client_got_wrong_is_a_4xx_problem_saying_what(
    api: httpx.AsyncClient, change: dict[str, Any], status: int, words: str
) -> None:
    answer = await api.post(
        "/api/v1/configs/estimate", json={"config": aggregated(), "hosts": 1, **change}
    )
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM
    assert words in answer.text


async def test_a_config_no_evaluator_can_run_is_valid_but_says_why_it_cannot_be_estimated(
    api: httpx.AsyncClient,
) -> None:
    config = yaml.safe_load(aggregated())
    config["service"]["pipelines"]["logs"] = config["service"]["pipelines"].pop("metrics")
    found = await api.post("/api/v1/configs/validate", json={"config": yaml.safe_dump(config)})
    assert found.json()["valid"] is True
    assert "no metrics pipeline" in found.json()["not_estimable"]


async def test_checking_a_config_needs_a_token_like_every_other_route(
    api: httpx.AsyncClient,
) -> None:
    for route in ("/api/v1/configs/validate", "/api/v1/configs/estimate"):
        answer = await api.post(route, json={"config": aggregated()}, headers={"Authorization": ""})
        assert answer.status_code == 401
        assert answer.headers["content-type"] == PROBLEM
