"""Tokens through the whole stack: the CLI as an API client, real subjects on events, no secret leaked."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import httpx

from adapters.auth.local_key import KEY_FILE
from adapters.embedded.nats_users import USERS_FILE
from tests.processes import PhoenixProcess, cli_env, run_cli
from tests.runtimes import admin_headers
from tests.waiting import eventually


async def test_people_act_through_the_api_as_their_tokens_say_and_no_secret_is_written_out(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    up = PhoenixProcess(data_dir, {"PHOENIX_LOG_LEVEL": "DEBUG"})
    up.start()
    try:
        await asyncio.to_thread(up.wait_ready)

        async def phoenix(*args: str, **env: str) -> tuple[int, str]:
            code, out, _ = await run_cli(
                cli_env(data_dir, PHOENIX_API_URL=up.api_url, COLUMNS="200", **env),
                *args,
                merge_stderr=True,
            )
            return code, out

        # An admin (the data dir's token) issues tokens; alice operates, victor only reads.
        code, alice = await phoenix(
            "token", "create", "--subject", "alice", "--role", "operator", "--ttl", "1h"
        )
        assert code == 0, alice
        alice = alice.strip()
        code, victor = await phoenix("token", "create", "--subject", "victor", "--role", "viewer")
        victor = victor.strip()
        assert (await phoenix("whoami", PHOENIX_TOKEN=alice))[
            1
        ].strip() == "alice (operator, viewer)"

        create = ("experiment", "create", "-c", "process-aggregated-v1", "--duration", "600")
        code, out = await phoenix(*create, "-o", "json", PHOENIX_TOKEN=victor)
        assert code == 1 and "forbidden: CreateExperiment needs the operator role" in out
        code, out = await phoenix(*create, "--start", "-o", "json", PHOENIX_TOKEN=alice)
        assert code == 0, out
        experiment_id = json.loads(out)["experiment_id"]
        code, out = await phoenix("experiment", "list", PHOENIX_TOKEN=victor)
        assert code == 0 and experiment_id in out
        code, out = await phoenix("experiment", "list", PHOENIX_TOKEN=alice + "x")
        assert code == 2 and "the API refused the token" in out
        code, out = await phoenix("experiment", "cancel", experiment_id, PHOENIX_TOKEN=victor)
        assert code == 1 and "forbidden: CancelExperiment needs the operator role" in out
        code, out = await phoenix("deadletters", "list", PHOENIX_TOKEN=alice)
        assert code == 1 and "needs the admin role" in out

        # `phoenix login` checks a token with the API and keeps it for the next commands.
        saved = tmp_path / "saved-token"
        code, out = await phoenix("login", "--token", victor, PHOENIX_TOKEN_FILE=str(saved))
        assert code == 0 and "logged in as victor" in out
        assert (
            (await phoenix("whoami", PHOENIX_TOKEN_FILE=str(saved)))[1].strip().startswith("victor")
        )

        async with httpx.AsyncClient(
            base_url=up.api_url, timeout=10, headers=admin_headers(data_dir)
        ) as api:
            trail = await eventually(
                lambda: api.get(f"/api/v1/experiments/{experiment_id}/events"),
                until=lambda r: len(r.json()["items"]) >= 3,
            )
            actors = {(e["type"], e["actor"]) for e in trail.json()["items"]}
            assert {("ExperimentCreated", "alice"), ("ExperimentStarted", "alice")} <= actors
            assert ("ConfigsGenerated", "reactor:config-generation") in actors
            log = (await api.get("/api/v1/events", params={"limit": 1000})).json()["items"]
            outputs = [json.dumps(log), (await api.get("/api/v1/deadletters")).text]
        outputs.append((data_dir / "runtime.json").read_text())  # removed at stop
    finally:
        await asyncio.to_thread(up.stop)

    secrets = {
        "alice's token": alice,
        "victor's token": victor,
        "the admin token": admin_headers(data_dir)["Authorization"].removeprefix("Bearer "),
        **{
            f"NATS password of {user}": password
            for user, password in json.loads((data_dir / "nats" / USERS_FILE).read_text()).items()
        },
    }
    key_pem = (data_dir / KEY_FILE).read_text()
    key_body = "".join(line for line in key_pem.splitlines() if "-----" not in line)
    secrets["the signing key"] = key_body
    assert len(base64.b64decode(key_body)) > 32
    written = [
        *outputs,
        (tmp_path / "data-up.log").read_text(),  # `phoenix up` at DEBUG
        (data_dir / "nats" / "nats-server.log").read_text(),
    ]
    leaked = [name for name, secret in secrets.items() if any(secret in text for text in written)]
    assert leaked == []
