"""The `phoenix` command line, run as a real process against a running Phoenix."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from gateway.runtime import Runtime
from projections.registry import all_projectors
from tests.processes import run_cli
from tests.waiting import eventually

CREATE = {
    "name": "from the cli",
    "baseline": {"name": "baseline", "template": "process-baseline-v1"},
    "candidates": [{"name": "aggregated", "template": "process-aggregated-v1"}],
    "duration_seconds": 600,
}


async def phoenix(data_dir: Path, *args: str) -> tuple[int, str, str]:
    # The CLI must find the running Phoenix through its runtime file, not through URLs.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
    env |= {"PHOENIX_DATA_DIR": str(data_dir), "COLUMNS": "200", "PHOENIX_LOG_LEVEL": "WARNING"}
    env["PHOENIX_TOKEN_FILE"] = str(data_dir.parent / "no-saved-token")
    return await run_cli(env, *args)


async def test_send_prints_the_outcome_and_replay_shows_the_history(
    runtime: Runtime, tmp_path: Path
) -> None:
    spec = tmp_path / "experiment.json"
    spec.write_text(json.dumps(CREATE))
    code, out, err = await phoenix(
        runtime.settings.data_dir, "send", "CreateExperiment", "--data", f"@{spec}", "-o", "json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "accepted"
    assert result["events"] == ["1:ExperimentCreated"]

    code, out, err = await phoenix(runtime.settings.data_dir, "replay", result["stream_id"])
    assert code == 0, err
    assert "ExperimentCreated" in out
    assert "from the cli" in out


async def test_a_rejected_command_exits_1_with_the_reason(runtime: Runtime) -> None:
    code, _, err = await phoenix(
        runtime.settings.data_dir, "send", "CreateExperiment", "--data", '{"name": "x"}'
    )
    assert code == 1
    assert "rejected CreateExperiment" in err
    assert "data.baseline: Field required" in err


async def test_projections_rebuild_leaves_the_read_model_as_it_was(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    for n in range(3):
        await phoenix(
            runtime.settings.data_dir,
            "send",
            "CreateExperiment",
            "--data",
            json.dumps({**CREATE, "name": f"e{n}"}),
        )
    listed = await eventually(
        lambda: api.get("/api/v1/experiments"), until=lambda r: r.json()["total"] == 3
    )
    before = listed.json()
    code, out, err = await phoenix(runtime.settings.data_dir, "projections", "rebuild")
    assert code == 0, err
    assert f"rebuilt {len(all_projectors())} projections" in out
    assert (await api.get("/api/v1/experiments")).json() == before


async def test_send_without_a_running_phoenix_says_how_to_start_it(tmp_path: Path) -> None:
    code, _, err = await phoenix(
        tmp_path / "nothing-here", "send", "StartExperiment", "--data", "{}"
    )
    assert code == 2
    assert "start it with `phoenix up`" in err
