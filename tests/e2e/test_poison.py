"""Nothing a client sends stops Phoenix: poison events and messages are set aside, the flow goes on."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx
from nats.js.api import ConsumerConfig

from adapters.postgres.dead_letters import PostgresDeadLetters
from domain.messages import UNDECODABLE_EVENT
from gateway.runtime import Runtime
from tests.contracts.event_store import new_event
from tests.e2e.experiments import spec
from tests.waiting import eventually


def nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"a": 1}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


async def outcome(api: httpx.AsyncClient, command_id: str) -> str:
    return str((await api.get(f"/api/v1/commands/{command_id}")).json()["status"])


async def test_an_event_no_reader_can_decode_is_set_aside_and_the_log_flows_past_it(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    # Stored before Phoenix bounded free-form fields: 300 levels, past every JSON decoder's limit.
    poisoned = uuid4()
    [poison] = await runtime.store.append(
        f"experiment-{poisoned}", 0, [new_event("ExperimentCreated", spec=nested(300))]
    )
    # The log flows past it: a command sent after it is decided, relayed and projected.
    sent = await api.post("/api/v1/commands", json={"type": "CreateExperiment", "data": spec()})
    assert sent.status_code == 202
    command_id = sent.json()["command_id"]
    assert await eventually(lambda: outcome(api, command_id), until=lambda s: s != "pending") == (
        "accepted"
    )
    listed = await eventually(
        lambda: api.get("/api/v1/experiments"), until=lambda r: r.json()["total"] == 1
    )
    assert listed.status_code == 200
    # The global log shows it, at its place, for what it is.
    log = await api.get("/api/v1/events", params={"after": poison.position - 1, "limit": 1})
    assert log.status_code == 200
    [shown] = log.json()["items"]
    assert shown["type"] == UNDECODABLE_EVENT
    assert shown["data"]["original_type"] == "ExperimentCreated"
    # Set aside, visibly: by the relay and by every projection, once each.
    letters = PostgresDeadLetters(runtime.engine)

    async def set_aside() -> set[str]:
        found = await letters.list()
        return {d.consumer for d in found if d.stream_sequence == poison.position}

    expected = {"relay"} | {f"projection:{p.name}" for p in runtime.projections.projectors}
    assert await eventually(set_aside, until=lambda c: c == expected) == expected
    # Its stream takes no more commands, and says why.
    start = await api.post(
        "/api/v1/commands",
        json={"type": "StartExperiment", "data": {"experiment_id": str(poisoned)}},
    )
    reason = (
        await eventually(
            lambda: api.get(f"/api/v1/commands/{start.json()['command_id']}"),
            until=lambda r: r.json()["status"] != "pending",
        )
    ).json()
    assert reason["status"] == "rejected"
    assert "holds an event that cannot be read" in reason["reason"]
    assert (await api.get("/readyz")).status_code == 200


async def test_sixteen_unreadable_messages_of_each_kind_are_dead_lettered_and_commands_go_on(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    bodies = [b'{"type": "Create\x00Experiment", "data": {}}' + bytes([i]) for i in range(16)]
    bodies += [b'{"a":' * 5_000 + b"1" + b"}" * 5_000 for _ in range(16)]
    for index, body in enumerate(bodies):
        await runtime.bus.js.publish(
            "phoenix.cmd.experiment.CreateExperiment",
            body,
            headers={"Nats-Msg-Id": f"poison-{index}", "content-type": "application/json"},
        )
    sent = await api.post("/api/v1/commands", json={"type": "CreateExperiment", "data": spec()})
    command_id = sent.json()["command_id"]
    assert await eventually(
        lambda: outcome(api, command_id), until=lambda s: s != "pending", deadline=60
    ) == ("accepted")
    letters = PostgresDeadLetters(runtime.engine)
    stored = await eventually(letters.list, until=lambda found: len(found) == len(bodies))
    # Each one's raw bytes are kept exactly, NULs and all, for an operator to read or re-drive.
    assert sorted(d.payload for d in stored) == sorted(bodies)
    assert all(d.consumer == "command-worker" for d in stored)
    info = await runtime.bus.js.consumer_info("PHOENIX_COMMANDS", "command-worker")
    assert info.num_ack_pending == 0
    assert isinstance(info.config, ConsumerConfig)


async def test_a_nul_in_the_actor_is_a_clear_422_never_a_command_pending_forever(
    api: httpx.AsyncClient,
) -> None:
    body = {"type": "CreateExperiment", "data": spec(), "metadata": {"actor": "a\u0000b"}}
    answer = await api.post("/api/v1/commands", content=json.dumps(body))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "metadata.actor contains a NUL" in json.dumps(answer.json())
    assert answer.json()["command_id"]


async def test_json_nested_hundreds_deep_is_a_400_not_a_500(api: httpx.AsyncClient) -> None:
    for levels in (40, 253, 600, 975, 5_000):
        body = (
            json.dumps({"type": "CreateExperiment", "data": nested(levels)})
            if levels < 900
            else ('{"a":' * levels + "1" + "}" * levels)
        )
        answer = await api.post("/api/v1/commands", content=body)
        assert answer.status_code == 400, (levels, answer.text)
        assert "nest" in answer.json()["detail"]
