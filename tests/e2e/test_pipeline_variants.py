"""Registered pipelines on this real host: real collectors run the pinned bytes, and a candidate
that drops the critical database is refused before deployment, or, when allowed, rejected.

The critical workload is the test session's own PostgreSQL (a real postmaster and its workers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from adapters.embedded.servers import Servers
from domain.pipeline.decide import sha256_of
from gateway.runtime import Runtime
from tests.conftest import nats_url_of
from tests.pipeline_configs import DROPS_DISK_AND_VIRTUAL_MEMORY, DROPS_POSTGRES, user_config
from tests.runtimes import admin_headers, settings_for
from tests.waiting import eventually

CONFIGS = {
    "prod": user_config(interval="1s"),
    "lean": user_config(DROPS_DISK_AND_VIRTUAL_MEMORY, interval="1s"),
    "no-postgres": user_config(DROPS_POSTGRES, interval="1s"),
}


def experiment(*, allow: bool) -> dict[str, Any]:
    return {
        "experiment_id": str(uuid4()),
        "name": "my pipelines on a real host",
        "baseline": {"name": "prod", "pipeline": "prod@1"},
        "candidates": [
            {"name": "lean", "pipeline": "lean"},
            {"name": "no-postgres", "pipeline": "no-postgres"},
        ],
        "duration_seconds": 10,
        "critical_processes": ["^postgres$"],
        "allow_critical_loss": allow,
        "success_criteria": {"max_collector_cpu_cores": 1.0, "max_collector_memory_mib": 400},
    }


async def outcome(api: httpx.AsyncClient, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    sent = await api.post("/api/v1/commands", json={"type": kind, "data": data})
    assert sent.status_code == 202, sent.text
    command_id = sent.json()["command_id"]
    found = await eventually(
        lambda: api.get(f"/api/v1/commands/{command_id}"),
        until=lambda r: r.status_code == 200 and r.json()["status"] != "pending",
        deadline=30,
    )
    return dict(found.json())


async def test_real_collectors_run_the_registered_bytes_and_a_predicted_loss_is_refused(
    servers: Servers, database_url: str, otelcol: Path, tmp_path: Path
) -> None:
    settings = settings_for(
        tmp_path, database_url=database_url, nats_url=nats_url_of(servers), deployer="process"
    )
    runtime = await Runtime.start(settings)
    try:
        async with httpx.AsyncClient(
            base_url=str(runtime.api_url), timeout=10, headers=admin_headers(settings.data_dir)
        ) as api:
            for name, config in CONFIGS.items():
                registered = await outcome(
                    api, "RegisterPipeline", {"name": name, "config": config}
                )
                assert registered["status"] == "accepted", registered

            refused = await outcome(api, "CreateExperiment", experiment(allow=False))
            assert refused["status"] == "rejected"
            assert refused["reason"].startswith(
                "candidates[1] (no-postgres): predicted critical loss: postgres x"
            )

            allowed = experiment(allow=True)
            xid = allowed["experiment_id"]
            assert (await outcome(api, "CreateExperiment", allowed))["status"] == "accepted"
            started = await outcome(api, "StartExperiment", {"experiment_id": xid})
            assert started["status"] == "accepted"
            found = await eventually(
                lambda: api.get(f"/api/v1/experiments/{xid}/results"),
                until=lambda r: (
                    r.status_code == 200
                    and (r.json()["available"] or r.json()["phase"] == "Failed")
                ),
                deadline=120,
            )
            results = found.json()
            assert results["available"], results.get("reason")
            variants = {v["variant"]: v for v in results["variants"]}
            # Each collector said, on every export, which registered bytes it runs.
            reported = runtime.real.sink.pipelines
            for name, ref in (
                ("prod", "prod@1"),
                ("lean", "lean@1"),
                ("no-postgres", "no-postgres@1"),
            ):
                assert variants[name]["pipeline"] == ref
                assert variants[name]["pipeline_sha256"] == sha256_of(CONFIGS[name])
                assert reported[(xid, name)] == (ref, sha256_of(CONFIGS[name]))
            assert variants["lean"]["measures"]["critical_lost"] == 0, variants["lean"]["reasons"]
            assert variants["no-postgres"]["verdict"] == "reject"
            assert any("lost postgres" in r for r in variants["no-postgres"]["reasons"])
    finally:
        await runtime.stop()
