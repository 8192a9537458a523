"""Who may call which route: 401 without a valid token, 403 without the role, as problem details."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import uuid4

import httpx
import pytest

from adapters.auth.local_key import LocalKey
from adapters.command_worker import CommandWorker
from adapters.memory.bus import InMemoryBus
from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.read_model import InMemoryReadModel
from adapters.metrics import Metrics
from adapters.nats.consumer import VERIFIED_SENDER, Delivery
from adapters.nats.streams import COMMANDS, EVENTS
from domain.identity import Identity, Role
from gateway.api.app import create_app
from gateway.api.dependencies import ApiDeps
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from tests.identities import SERVICE, VERIFIER, token

PROBLEM = "application/problem+json"
XID = "00000000-0000-4000-8000-000000000000"
CREATE = {
    "type": "CreateExperiment",
    "data": {
        "name": "halve it",
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
        "duration_seconds": 60,
    },
}
READS = [
    "/api/v1/whoami",
    "/api/v1/experiments",
    f"/api/v1/experiments/{XID}",
    f"/api/v1/experiments/{XID}/events",
    f"/api/v1/experiments/{XID}/results",
    f"/api/v1/experiments/{XID}/measurements",
    "/api/v1/configs/components",
    "/api/v1/events",
    "/api/v1/templates",
    f"/api/v1/commands/{XID}",
    f"/api/v1/streams/experiment-{XID}/events",
]


def app(bus: InMemoryBus | None = None, **overrides: Any) -> httpx.AsyncClient:
    store = InMemoryEventStore()
    deps = ApiDeps(
        InMemoryReadModel(store),
        store,
        bus or InMemoryBus(),
        Metrics(),
        VERIFIER,
        InMemoryDeadLetters(),
        **overrides,
    )
    return client_of(deps)


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    async with app() as client:
        yield client


def as_(*roles: Role, subject: str = "alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(subject, *roles)}"}


def command(kind: str = "CreateExperiment", **extra: Any) -> str:
    body = CREATE if kind == "CreateExperiment" else {"type": kind, "data": extra}
    return json.dumps({**body, "command_id": str(uuid4())})


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return dict(response.json())


@pytest.mark.parametrize("path", READS)
async def test_every_route_refuses_a_request_without_a_token_with_a_bearer_challenge(
    api: httpx.AsyncClient, path: str
) -> None:
    problem = refused(await api.get(path), 401)
    assert problem["title"] == "Unauthorized"
    assert (await api.get(path)).headers["www-authenticate"] == 'Bearer realm="phoenix"'


async def test_sending_a_command_without_a_token_is_refused_and_publishes_nothing() -> None:
    bus = InMemoryBus()
    async with app(bus=bus) as client:
        refused(await client.post("/api/v1/commands", content=command()), 401)
        refused(await client.post("/api/v1/deadletters/1/redrive"), 401)
        refused(await client.get("/api/v1/deadletters"), 401)
    assert bus.headers(COMMANDS) == []


@pytest.mark.parametrize(
    "bad",
    [
        "Bearer not-a-token",
        "Basic YWxpY2U6c2VjcmV0",
        f"Bearer {token('alice', Role.ADMIN, now=datetime.now(UTC) - timedelta(hours=2))}",
        f"Bearer {token('alice', Role.ADMIN, key=LocalKey.generate())}",
    ],
    ids=["garbage", "basic auth", "expired", "wrongly signed"],
)
async def test_a_bad_token_is_401_and_says_no_more_than_invalid_token(
    api: httpx.AsyncClient, bad: str
) -> None:
    response = await api.get("/api/v1/experiments", headers={"Authorization": bad})
    problem = refused(response, 401)
    if bad.startswith("Bearer "):
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
        assert "expired, or not signed by a trusted issuer" in problem["detail"]


@pytest.mark.parametrize("path", READS)
async def test_a_viewer_reads_every_route(api: httpx.AsyncClient, path: str) -> None:
    assert (await api.get(path, headers=as_(Role.VIEWER))).status_code in (200, 404)


async def test_whoami_answers_with_the_token_s_subject_and_every_role_it_implies(
    api: httpx.AsyncClient,
) -> None:
    me = (await api.get("/api/v1/whoami", headers=as_(Role.OPERATOR, subject="bob"))).json()
    assert me == {"subject": "bob", "roles": ["operator", "viewer"]}


@pytest.mark.parametrize(
    ("roles", "status"),
    [((Role.VIEWER,), 403), ((Role.OPERATOR,), 202), ((Role.ADMIN,), 202)],
    ids=["viewer", "operator", "admin"],
)
async def test_creating_an_experiment_needs_the_operator_role(
    api: httpx.AsyncClient, roles: tuple[Role, ...], status: int
) -> None:
    response = await api.post("/api/v1/commands", content=command(), headers=as_(*roles))
    assert response.status_code == status, response.text
    if status == 403:
        assert "needs the operator role; alice has viewer" in refused(response, 403)["detail"]


@pytest.mark.parametrize("kind", ["RecordAnalysis", "CloseObservationWindow", "RecordPromotion"])
async def test_no_person_may_send_a_handler_s_command_not_even_an_admin(
    api: httpx.AsyncClient, kind: str
) -> None:
    response = await api.post(
        "/api/v1/commands", content=command(kind, experiment_id=XID), headers=as_(Role.ADMIN)
    )
    assert "only by Phoenix's own handlers" in refused(response, 403)["detail"]


@pytest.mark.parametrize(("roles", "status"), [((Role.OPERATOR,), 403), ((Role.ADMIN,), 202)])
async def test_an_override_against_the_verdict_needs_the_admin_role_at_the_door(
    api: httpx.AsyncClient, roles: tuple[Role, ...], status: int
) -> None:
    body = command(
        "PromoteVariant",
        experiment_id=XID,
        variant="agg",
        override=True,
        override_reason="the verdict missed our peak",
    )
    response = await api.post("/api/v1/commands", content=body, headers=as_(*roles))
    assert response.status_code == status, response.text
    if status == 403:
        assert "PromoteVariant with override" in refused(response, 403)["detail"]


async def test_a_forged_admin_role_in_the_metadata_does_not_open_an_admin_route(
    api: httpx.AsyncClient,
) -> None:
    body = json.loads(command("RecordAnalysis", experiment_id=XID))
    body["metadata"] = {"actor": "root", "roles": ["admin", "service"]}
    response = await api.post("/api/v1/commands", json=body, headers=as_(Role.OPERATOR))
    refused(response, 403)


@pytest.mark.parametrize(
    ("roles", "status"),
    [((Role.VIEWER,), 403), ((Role.OPERATOR,), 403), ((Role.ADMIN,), 200)],
    ids=["viewer", "operator", "admin"],
)
async def test_dead_letters_are_for_admins(
    api: httpx.AsyncClient, roles: tuple[Role, ...], status: int
) -> None:
    listed = await api.get("/api/v1/deadletters", headers=as_(*roles))
    assert listed.status_code == status
    redriven = await api.post("/api/v1/deadletters/1/redrive", headers=as_(*roles))
    assert redriven.status_code == (404 if status == 200 else 403)  # none to re-drive here


async def test_the_probes_and_the_openapi_document_need_no_token(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).status_code == 200
    assert (await api.get("/readyz")).status_code == 503  # on fakes: no servers to be ready
    assert (await api.get("/schema/openapi.json")).status_code == 200
    assert (await api.get("/metrics")).status_code == 200


async def test_metrics_can_be_put_behind_a_token_too() -> None:
    async with app(metrics_public=False) as client:
        refused(await client.get("/metrics"), 401)
        assert (await client.get("/metrics", headers=as_(Role.VIEWER))).status_code == 200


async def test_the_openapi_document_declares_the_bearer_scheme_and_the_401_and_403(
    api: httpx.AsyncClient,
) -> None:
    document = (await api.get("/schema/openapi.json")).json()
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    send = document["paths"]["/api/v1/commands"]["post"]
    assert send["security"] == [{"BearerToken": []}]
    assert {"401", "403", "429"} <= set(send["responses"])


async def test_one_subject_flooding_the_command_route_is_slowed_down_and_others_are_not() -> None:
    async with app(command_rate_limit="3/minute") as client:
        alice, bob = as_(Role.OPERATOR), as_(Role.OPERATOR, subject="bob")
        answers = [
            (await client.post("/api/v1/commands", content=command(), headers=alice)).status_code
            for _ in range(4)
        ]
        assert answers == [202, 202, 202, 429]
        assert (
            "ratelimit-reset"
            in (await client.post("/api/v1/commands", content=command(), headers=alice)).headers
        )
        assert (
            await client.post("/api/v1/commands", content=command(), headers=bob)
        ).status_code == 202
        assert (await client.get("/api/v1/experiments", headers=alice)).status_code == 200


def test_a_rate_limit_that_does_not_read_as_one_is_refused() -> None:
    with pytest.raises(ValueError, match="20/second"):
        create_app(
            ApiDeps(
                InMemoryReadModel(InMemoryEventStore()),
                InMemoryEventStore(),
                InMemoryBus(),
                Metrics(),
                VERIFIER,
                InMemoryDeadLetters(),
                command_rate_limit="lots",
            )
        )


def dead_command(kind: str, sequence: int, *, sender: str | None) -> Delivery:
    """A command set aside, as the command worker records it: ``sender`` is the subject its
    token verified as (None: it did not verify).
    """
    body = json.dumps({"command_id": str(uuid4()), "type": kind, "data": {"experiment_id": XID}})
    return Delivery(
        consumer="command-worker",
        subject=f"phoenix.cmd.experiment.{kind}",
        body=body.encode(),
        headers={"Nats-Msg-Id": f"m{sequence}", **as_(Role.OPERATOR, subject="sender")},
        stream_sequence=sequence,
        verified_sender=sender,
    )


def client_of(deps: ApiDeps) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=cast(Any, create_app(deps)))
    return httpx.AsyncClient(transport=transport, base_url="http://phoenix")


def redrive_deps() -> tuple[ApiDeps, InMemoryBus, InMemoryDeadLetters]:
    """An API on in-memory parts with the service's tokens, as re-drives need."""
    store, bus, letters = InMemoryEventStore(), InMemoryBus(), InMemoryDeadLetters()
    deps = ApiDeps(
        InMemoryReadModel(store), store, bus, Metrics(), VERIFIER, letters, service=SERVICE
    )
    return deps, bus, letters


async def redrive_as_root(deps: ApiDeps, letter: int) -> None:
    async with client_of(deps) as client:
        admin = as_(Role.ADMIN, subject="root")
        redriven = await client.post(f"/api/v1/deadletters/{letter}/redrive", headers=admin)
    assert redriven.status_code == 200


async def test_a_dead_letter_keeps_no_token_and_goes_again_as_the_admin_or_on_their_behalf() -> (
    None
):
    deps, bus, letters = redrive_deps()
    await letters.record(
        dead_command("StartExperiment", 1, sender="sender"), "the database was down"
    )
    await letters.record(
        dead_command("RecordAnalysis", 2, sender="reactor:analysis"), "the database was down"
    )
    assert all("Authorization" not in row.headers for row in await letters.list())
    async with client_of(deps) as client:
        admin = as_(Role.ADMIN, subject="root")
        listed = (await client.get("/api/v1/deadletters", headers=admin)).json()["items"]
        assert [x["verified_sender"] for x in listed] == ["sender", "reactor:analysis"]
        for letter in (1, 2):
            redriven = await client.post(f"/api/v1/deadletters/{letter}/redrive", headers=admin)
            assert redriven.status_code == 200
    sent = [h["Authorization"].removeprefix("Bearer ") for h in bus.headers(COMMANDS)]
    people, service = [await VERIFIER.verify(t) for t in sent]
    assert people == Identity("root", frozenset({Role.ADMIN}))
    assert service == Identity("redrive:root", frozenset({Role.SERVICE}))
    assert not any(VERIFIED_SENDER in h for h in bus.headers(COMMANDS))


@pytest.mark.parametrize(
    "headers",
    [{}, {VERIFIED_SENDER: "reactor:analysis"}],
    ids=["no verified sender", "a sender's own claim of one"],
)
async def test_a_handler_s_command_that_no_handler_sent_goes_again_only_as_the_admin(
    headers: dict[str, str],
) -> None:
    """A forged RecordAnalysis set aside (say while the database was down) must not come back
    as the service's: a re-drive sends it with the admin's token, which may not send it.
    """
    deps, bus, letters = redrive_deps()
    forged = dead_command("RecordAnalysis", 1, sender=None)
    forged.headers.update(headers)
    await letters.record(forged, "the database was down")
    await redrive_as_root(deps, 1)
    [sent] = [h["Authorization"].removeprefix("Bearer ") for h in bus.headers(COMMANDS)]
    assert await VERIFIER.verify(sent) == Identity("root", frozenset({Role.ADMIN}))


async def test_the_command_worker_sets_a_command_aside_with_the_sender_its_token_verifies_as() -> (
    None
):
    letters = InMemoryDeadLetters()
    worker = CommandWorker(
        InMemoryBus(), CommandHandler(InMemoryEventStore(), SystemClock()), VERIFIER, letters
    )
    handlers = dead_command("RecordAnalysis", 1, sender=None)
    handlers.headers["Authorization"] = f"Bearer {SERVICE.token('reactor:analysis')}"
    forged = dead_command("RecordAnalysis", 2, sender=None)
    forged.headers.update({"Authorization": "Bearer forged", VERIFIED_SENDER: "reactor:analysis"})
    for delivery in (handlers, forged):
        await worker.dead_letters.record(delivery, "the database was down")
    rows = await letters.list()
    assert [row.headers.get(VERIFIED_SENDER) for row in rows] == ["reactor:analysis", None]
    assert all("Authorization" not in row.headers for row in rows)


async def test_a_re_driven_event_goes_out_without_the_admin_s_token() -> None:
    """Events go to PHOENIX_EVENTS, where every subscriber reads them and their headers."""
    deps, bus, letters = redrive_deps()
    event = Delivery(
        consumer="reactor-analysis",
        subject="phoenix.evt.experiment.ObservationWindowClosed",
        body=b"{}",
        headers={"Nats-Msg-Id": "e1"},
        stream_sequence=1,
    )
    await letters.record(event, "the database was down")
    await redrive_as_root(deps, 1)
    [headers] = bus.headers(EVENTS)
    assert "Authorization" not in headers
