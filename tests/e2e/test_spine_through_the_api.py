"""A command posted to the API travels the bus, lands in the store, and shows in the read API."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from gateway.runtime import Runtime
from tests.waiting import eventually

CREATE: dict[str, Any] = {
    "type": "CreateExperiment",
    "data": {
        "name": "halve process metrics",
        "description": "aggregate everything but the databases",
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [{"name": "aggregated", "template": "process-aggregated-v1"}],
        "duration_seconds": 600,
        "critical_processes": ["^postgres$"],
    },
    "metadata": {"actor": "alice"},
}


async def status_of(api: httpx.AsyncClient, location: str) -> dict[str, Any]:
    status: dict[str, Any] = (await api.get(location)).json()
    return status


async def test_a_created_experiment_appears_in_the_list_its_detail_and_its_audit_trail(
    api: httpx.AsyncClient,
) -> None:
    sent = await api.post("/api/v1/commands", json=CREATE)
    assert sent.status_code == 202
    location = sent.headers["location"]
    outcome = await eventually(
        lambda: status_of(api, location), until=lambda s: s["status"] != "pending"
    )
    assert outcome["status"] == "accepted"
    experiment_id = outcome["stream_id"].removeprefix("experiment-")

    listed = await eventually(
        lambda: api.get("/api/v1/experiments"), until=lambda r: r.json()["total"] == 1
    )
    assert listed.json()["items"][0]["name"] == "halve process metrics"
    detail = (await api.get(f"/api/v1/experiments/{experiment_id}")).json()
    assert detail["phase"] == "Pending"
    assert [h["phase"] for h in detail["phase_history"]] == ["Pending"]
    assert detail["spec"]["critical_processes"] == ["^postgres$"]

    start = {"type": "StartExperiment", "data": {"experiment_id": experiment_id}}
    await api.post("/api/v1/commands", json=start)
    # The handlers take it on from there (config generation first); without load it stays short
    # of Completed. Each read model keeps its own checkpoint, so wait on the audit view itself.
    trail = await eventually(
        lambda: api.get(f"/api/v1/experiments/{experiment_id}/events"),
        until=lambda r: len(r.json()["items"]) >= 3,
    )
    audit = trail.json()["items"]
    assert [e["type"] for e in audit[:3]] == [
        "ExperimentCreated",
        "ExperimentStarted",
        "ConfigsGenerated",
    ]
    # The token's subject (the admin who ran Phoenix), whatever the command's metadata claimed.
    me = (await api.get("/api/v1/whoami")).json()["subject"]
    assert [e["actor"] for e in audit[:3]] == [me, me, "reactor:config-generation"]
    assert audit[0]["command_id"] == outcome["command_id"]
    assert audit[0]["correlation_id"] == outcome["command_id"]


async def test_a_command_the_domain_refuses_reads_back_as_rejected_with_the_reason(
    api: httpx.AsyncClient,
) -> None:
    sent = await api.post(
        "/api/v1/commands",
        json={"type": "StartExperiment", "data": {"experiment_id": str(uuid4())}},
    )
    outcome = await eventually(
        lambda: status_of(api, sent.headers["location"]), until=lambda s: s["status"] != "pending"
    )
    assert outcome["status"] == "rejected"
    assert "which does not exist" in outcome["reason"]


async def test_the_global_log_pages_by_position(api: httpx.AsyncClient, runtime: Runtime) -> None:
    for n in range(3):
        await api.post(
            "/api/v1/commands", json={**CREATE, "data": {**CREATE["data"], "name": f"e{n}"}}
        )
    await eventually(
        lambda: api.get("/api/v1/events", params={"limit": 10}),
        until=lambda r: len(r.json()["items"]) == 3,
    )
    first = (await api.get("/api/v1/events", params={"limit": 2})).json()
    assert [e["position"] for e in first["items"]] == sorted(e["position"] for e in first["items"])
    rest = (await api.get(first["next"])).json()["items"]
    assert rest
    assert rest[0]["position"] > first["items"][-1]["position"]


async def test_metrics_count_commands_and_report_lag(api: httpx.AsyncClient) -> None:
    sent = await api.post("/api/v1/commands", json=CREATE)
    await eventually(
        lambda: status_of(api, sent.headers["location"]), until=lambda s: s["status"] == "accepted"
    )
    text = (await api.get("/metrics")).text
    assert 'phoenix_commands_total{outcome="accepted",type="CreateExperiment"} 1.0' in text
    assert "phoenix_relay_lag_positions" in text
    assert 'phoenix_consumer_lag_positions{consumer="projection:experiments"}' in text


async def test_ready_when_postgres_nats_the_bus_migrations_and_log_readers_are(
    api: httpx.AsyncClient,
) -> None:
    ready = await api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "postgres": "ok",
        "nats": "ok",
        "bus": "ok",
        "migrations": "ok",
        "log readers": "ok",
    }
    assert (await api.get("/healthz")).json() == {"status": "ok"}
