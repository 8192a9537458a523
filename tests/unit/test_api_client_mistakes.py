"""Every client mistake gets a 4xx problem document, never a 500 (the API built on fakes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest

from adapters.memory.bus import InMemoryBus
from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.read_model import InMemoryReadModel
from adapters.metrics import Metrics
from domain.identity import Role
from gateway.api.app import create_app
from gateway.api.dependencies import ApiDeps
from tests.identities import VERIFIER, bearer

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    """The API on the in-memory store, bus and read model, called in-process (built once: its
    OpenAPI document takes a while to make, and no mistake changes what the next one sees).
    """
    store = InMemoryEventStore()
    deps = ApiDeps(
        InMemoryReadModel(store), store, InMemoryBus(), Metrics(), VERIFIER, InMemoryDeadLetters()
    )
    transport = httpx.ASGITransport(app=cast(Any, create_app(deps)))
    headers = bearer("alice", Role.OPERATOR)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://phoenix", headers=headers
    ) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/v1/experiments/not-a-uuid", None, 400),
        ("GET", "/api/v1/experiments?limit=0", None, 400),
        ("GET", "/api/v1/experiments?phase=Sleeping", None, 400),
        ("GET", "/api/v1/experiments/00000000-0000-4000-8000-000000000000", None, 404),
        ("GET", "/api/v1/experiments/00000000-0000-4000-8000-000000000000/events", None, 404),
        ("GET", "/api/v1/events?after=-1", None, 400),
        ("GET", "/api/v1/commands/xyz", None, 400),
        ("GET", "/api/v1/nowhere", None, 404),
        ("GET", "/api/v1/pipelines/nobody", None, 404),
        ("GET", "/api/v1/pipelines/Not_A_Name", None, 404),
        ("GET", "/api/v1/pipelines/nobody/versions/1", None, 404),
        ("GET", "/api/v1/pipelines?limit=0", None, 400),
        ("DELETE", "/api/v1/experiments", None, 405),
        ("POST", "/api/v1/commands", b"{not json", 400),
        ("POST", "/api/v1/commands", b"[1, 2]", 422),
        ("POST", "/api/v1/commands", b'{"type": "LaunchRocket", "data": {}}', 422),
        ("POST", "/api/v1/commands", b'{"type": "CreateExperiment", "data": {"name": ""}}', 422),
        ("POST", "/api/v1/commands", b'{"type": "StartExperiment"}', 422),
        ("GET", "/api/v1/events?after=99999999999999999999", None, 400),
        ("GET", "/api/v1/experiments?offset=99999999999999999999", None, 400),
        ("POST", "/api/v1/commands", b"[" * 100_000, 400),
        (
            "POST",
            "/api/v1/commands",
            b'{"type": "CreateExperiment", "data": {"name": "a\\u0000b"}}',
            422,
        ),
        (
            "POST",
            "/api/v1/commands",
            b'{"type": "x", "data": {"pad": "' + b"x" * 600_000 + b'"}}',
            413,
        ),
    ],
)
async def test_a_client_mistake_is_a_4xx_problem(
    api: httpx.AsyncClient, method: str, path: str, body: bytes | None, status: int
) -> None:
    response = await api.request(method, path, content=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"]


async def test_a_command_that_breaks_its_schema_lists_each_field(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/v1/commands",
        json={"type": "CreateExperiment", "data": {"name": "x", "duration_seconds": -1}},
    )
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"duration_seconds", "baseline", "candidates"} <= paths


async def test_the_openapi_document_is_served(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/schema/openapi.json")).json()
    assert spec["info"]["title"] == "Phoenix"
    assert "/api/v1/experiments/{experiment_id}" in spec["paths"]
