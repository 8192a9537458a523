"""A user's own pipeline through the CLI and the API: registered, versioned, refused with its path."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from domain.pipeline.decide import sha256_of
from gateway.runtime import Runtime
from pipelines.render import render
from tests.e2e.test_cli import phoenix
from tests.waiting import eventually


async def test_a_config_is_registered_revised_and_read_back_through_the_api(
    runtime: Runtime, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    data_dir = runtime.settings.data_dir
    mine, revised = tmp_path / "mine.yaml", tmp_path / "revised.yaml"
    mine.write_text(render("process-aggregated-v1"))
    revised.write_text(render("process-topk-v1"))

    code, out, err = await phoenix(data_dir, "pipeline", "register", str(mine), "--name", "prod")
    assert code == 0, err
    assert f"prod: registered, sha256 {sha256_of(mine.read_text())[:12]}" in out
    code, out, err = await phoenix(
        data_dir, "pipeline", "revise", str(revised), "--name", "prod", "--note", "topk"
    )
    assert code == 0, err

    found = await eventually(
        lambda: api.get("/api/v1/pipelines/prod"),
        until=lambda r: r.status_code == 200 and r.json()["latest_version"] == 2,
    )
    versions = found.json()["versions"]
    assert [(v["version"], v["note"]) for v in versions] == [(1, ""), (2, "topk")]
    second = (await api.get("/api/v1/pipelines/prod/versions/2")).json()
    assert second["config"] == revised.read_text()
    assert second["sha256"] == sha256_of(revised.read_text())

    code, out, err = await phoenix(data_dir, "pipeline", "versions", "prod", "-o", "json")
    assert code == 0, err
    assert [v["version"] for v in json.loads(out)["versions"]] == [1, 2]

    code, out, err = await phoenix(data_dir, "pipeline", "diff", "prod@1", "prod@2")
    assert code == 1, err  # they differ, as diff(1) says
    assert f"--- prod@1 (sha256 {sha256_of(mine.read_text())[:12]})" in out
    assert "+++ prod@2" in out
    added = set(revised.read_text().splitlines()) - set(mine.read_text().splitlines())
    assert added and {line[1:] for line in out.splitlines() if line[:1] == "+"} >= added
    code, out, _ = await phoenix(data_dir, "pipeline", "diff", "prod@2", "prod@2")
    assert (code, out) == (0, "")
    code, _, err = await phoenix(data_dir, "pipeline", "diff", "prod", "prod@2")
    assert code == 2 and "write NAME@VERSION" in err


async def test_an_invalid_config_is_refused_with_its_path_and_nothing_is_registered(
    runtime: Runtime, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        render("process-aggregated-v1").replace("error_mode: ignore", "error_mode: loud", 1)
    )
    code, _, err = await phoenix(
        runtime.settings.data_dir, "pipeline", "register", str(broken), "--name", "broken"
    )
    assert code == 1
    assert "error_mode: must be ignore, silent or propagate" in err
    assert (await api.get("/api/v1/pipelines/broken")).status_code == 404
    assert (await api.get("/api/v1/pipelines/Not_A_Name")).status_code == 404
