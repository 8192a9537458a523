"""The README's flow for a user's own pipeline: register it, run it as a baseline, get
recommendations from what it emitted, try them, and read predicted beside measured.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from gateway.runtime import Runtime
from tests.e2e.experiments import reach, simulated_load
from tests.e2e.test_cli import phoenix
from tests.pipeline_configs import user_config
from tests.waiting import eventually

CRITICAL = ("--critical", "^postgres$", "--critical", "^nginx$")


async def cli_json(data_dir: Path, *args: str) -> Any:
    code, out, err = await phoenix(data_dir, *args, "-o", "json")
    assert code == 0, err or out
    return json.loads(out)


async def test_recommendations_from_a_baseline_s_output_are_tried_and_judged_beside_predictions(
    runtime: Runtime, api: httpx.AsyncClient, tmp_path: Path, report: Callable[[str], None]
) -> None:
    data_dir = runtime.settings.data_dir
    mine = tmp_path / "my-collector.yaml"
    mine.write_text(user_config(interval="250ms"))
    await cli_json(data_dir, "pipeline", "register", str(mine), "--name", "prod")

    async with simulated_load(runtime):
        first = await cli_json(
            data_dir, "experiment", "create", "--baseline", "prod@1",
            "-c", "process-aggregated-v1", "--interval", "250ms", "--duration", "8",
            *CRITICAL, "--start",
        )  # fmt: skip
        assert await reach(api, first["experiment_id"], "Completed", deadline=90) == "Completed"

        found = await cli_json(
            data_dir, "pipeline", "recommend", "--from-experiment", first["experiment_id"],
            "--top-k", "5", "--register",
        )  # fmt: skip
        assert found["baseline"] == "prod@1"
        assert found["basis"].startswith(f"experiment {first['experiment_id']}: ")
        assert found["registered"] == {
            "by-executable": "prod-by-executable@1",
            "topk": "prod-topk@1",
        }
        assert found["keep_list"]["command_lines"]

        second = await cli_json(
            data_dir, "experiment", "create", "--baseline", "prod@1", "--recommended",
            "--duration", "8", *CRITICAL, "--start",
        )  # fmt: skip
        xid = second["experiment_id"]
        assert await reach(api, xid, "Completed", deadline=90) == "Completed"

    # The results read model has its own checkpoint: it may trail the experiment's phase.
    results = (
        await eventually(
            lambda: api.get(f"/api/v1/experiments/{xid}/results"),
            until=lambda r: (
                r.json()["available"]
                and all(v["measures"] for v in r.json()["variants"] if v["role"] == "candidate")
            ),
        )
    ).json()
    variants = {v["variant"]: v for v in results["variants"]}
    assert set(variants) == {"baseline", "topk", "by-executable"}
    for name in ("topk", "by-executable"):
        said, got = variants[name]["predicted"], variants[name]["measures"]
        assert said == next(c["predicted"] for c in found["candidates"] if c["name"] == name)
        report(
            f"recommended {name}: series reduction predicted {said['series_reduction']:.1%}, "
            f"measured {got['series_reduction']:.1%}; critical retention "
            f"{said['critical_retention']:.0%} / {got['critical_retention']:.0%}"
        )
        assert abs(said["series_reduction"] - got["series_reduction"]) <= 0.05
        assert said["critical_retention"] == 1.0
    code, table, err = await phoenix(data_dir, "experiment", "results", xid)
    assert code == 0, err
    assert table.count("predicted") == 2  # beside the measured series and datapoint reductions


async def command(api: httpx.AsyncClient, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    sent = await api.post("/api/v1/commands", json={"type": kind, "data": data})
    assert sent.status_code == 202, sent.text
    outcome = await eventually(
        lambda: api.get(f"/api/v1/commands/{sent.json()['command_id']}"),
        until=lambda r: r.status_code == 200 and r.json()["status"] != "pending",
    )
    return dict(outcome.json())


async def test_the_recommendation_routes_say_what_is_missing_and_simulate_when_asked(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    prod = user_config(interval="10s")
    assert (await command(api, "RegisterPipeline", {"name": "prod", "config": prod}))[
        "status"
    ] == "accepted"
    await eventually(
        lambda: api.get("/api/v1/pipelines/prod/versions/1"), until=lambda r: r.status_code == 200
    )

    simulated = await api.get(
        "/api/v1/pipelines/prod/versions/1/recommendations",
        params={"hosts": 2, "observe_seconds": 120, "window": 60},
        timeout=120,
    )
    assert simulated.status_code == 200, simulated.text
    body = simulated.json()
    assert body["basis"] == "2 simulated realistic hosts for 120s (seed 1): 12 scrapes"
    assert [c["name"] for c in body["candidates"]] == ["topk", "by-executable"]
    assert all(c["predicted"]["critical_retention"] == 1.0 for c in body["candidates"])
    assert body["ranking"][0]["series"] >= body["ranking"][-1]["series"]

    async def problem(path: str, **params: Any) -> tuple[int, str]:
        answer = await api.get(path, params=params)
        return answer.status_code, answer.json()["detail"]

    versions = "/api/v1/pipelines/prod/versions"
    assert await problem(f"{versions}/1/recommendations", profile="nope") == (
        400,
        "unknown profile 'nope'; known: realistic, high-cardinality, high-churn, chaos",
    )
    status, detail = await problem(f"{versions}/1/recommendations", hosts=100, observe_seconds=3600)
    assert status == 400 and "36,000 host scrapes; at most 3,000" in detail
    assert await problem(f"{versions}/2/recommendations") == (404, "no pipeline prod@2")
    assert await problem(f"{versions}/60000000000/recommendations") == (
        404,
        "pipeline 'prod' has no version 60000000000",
    )
    assert (await api.get(f"{versions}/60000000000")).status_code == 404

    missing = uuid4()
    assert await problem(f"/api/v1/experiments/{missing}/recommendations") == (
        404,
        f"no experiment {missing}",
    )
    on_template, on_prod = str(uuid4()), str(uuid4())
    for xid, baseline in (
        (on_template, {"name": "base", "template": "process-baseline-v1"}),
        (on_prod, {"name": "base", "pipeline": "prod@1"}),
    ):
        created = await command(
            api,
            "CreateExperiment",
            {
                "experiment_id": xid,
                "name": "not run",
                "baseline": baseline,
                "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
                "duration_seconds": 60,
            },
        )
        assert created["status"] == "accepted", created
    status, detail = await problem(f"/api/v1/experiments/{on_template}/recommendations")
    assert status == 409 and "recommendations are built on a registered pipeline" in detail
    status, detail = await problem(f"/api/v1/experiments/{on_prod}/recommendations")
    assert status == 409 and detail.startswith(
        "nothing its baseline emitted was kept (it is Pending"
    )
