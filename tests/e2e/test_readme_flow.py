"""The README's "Run an experiment" flow, command by command, on today's date and the real clock."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from tests.processes import PhoenixProcess, cli_env, run_cli
from tests.runtimes import admin_headers
from tests.waiting import eventually


async def phoenix(data_dir: Path, phoenix_up: PhoenixProcess, *args: str) -> tuple[int, str]:
    env = cli_env(
        data_dir,
        PHOENIX_API_PORT=str(phoenix_up.api_port),
        PHOENIX_OTLP_PORT=str(phoenix_up.otlp_port),
        COLUMNS="200",
    )
    code, out, _ = await run_cli(env, *args, merge_stderr=True, within=120)
    return code, out


async def test_the_readme_flow_runs_an_experiment_to_a_verdict(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    up = PhoenixProcess(data_dir)
    up.start()
    try:
        await asyncio.to_thread(up.wait_ready)
        code, out = await phoenix(data_dir, up, "loadsim", "list-profiles")
        assert code == 0 and "realistic" in out
        code, out = await phoenix(
            data_dir, up, "loadsim", "start", "--profile", "realistic", "--hosts", "3",
            "--interval", "1s", "--detach",
        )  # fmt: skip
        assert code == 0, out
        assert "load started" in out
        code, out = await phoenix(
            data_dir, up, "experiment", "create", "--name", "halve process metrics",
            "--duration", "12", "--interval", "1s", "-c", "process-aggregated-v1",
            "-c", "process-topk-v1", "--critical", "^postgres$", "--critical", "^nginx$",
            "--start", "-o", "json",
        )  # fmt: skip
        assert code == 0, out
        created = json.loads(out)
        assert created["status"] == "accepted" and created["started"] == "accepted"
        experiment_id = created["experiment_id"]

        async with httpx.AsyncClient(
            base_url=up.api_url, timeout=10, headers=admin_headers(up.data_dir)
        ) as api:
            await eventually(
                lambda: api.get(f"/api/v1/experiments/{experiment_id}/results"),
                until=lambda r: r.status_code == 200 and r.json()["available"],
                deadline=120,
            )
        code, out = await phoenix(data_dir, up, "experiment", "status", experiment_id, "-o", "json")
        assert code == 0, out
        assert json.loads(out)["phase"] == "Completed", out
        results = await phoenix(data_dir, up, "experiment", "results", experiment_id, "-o", "json")
        assert results[0] == 0, results[1]
        verdicts = {v["variant"]: v["verdict"] for v in json.loads(results[1])["variants"]}
        # The live load was measured: every candidate has a verdict (which one is the
        # analysis's business, tested elsewhere), and none is "inconclusive for lack of data".
        assert set(verdicts) == {"baseline", "aggregated", "topk"}
        assert all(
            v in ("promote", "reject", "inconclusive")
            for k, v in verdicts.items()
            if k != "baseline"
        )
        baseline = next(v for v in json.loads(results[1])["variants"] if v["role"] == "baseline")
        assert baseline["measures"]["series"] > 0
        code, out = await phoenix(data_dir, up, "loadsim", "stop")
        assert code == 0, out
    finally:
        await phoenix(data_dir, up, "loadsim", "stop")
        if up.process is not None and up.process.poll() is None:
            await asyncio.to_thread(up.stop)
