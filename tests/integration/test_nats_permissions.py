"""The embedded NATS: no one connects without credentials, and each user does only its part."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import nats
import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.command_worker import CommandWorker
from adapters.embedded.nats_server import EmbeddedNats
from adapters.embedded.nats_users import PUBLISHER, SUBSCRIBER, inbox_prefix
from adapters.embedded.servers import Servers
from adapters.nats.bus import NatsBus
from adapters.nats.consumer import DeliveryPolicy
from adapters.nats.streams import COMMANDS, EVENTS
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from adapters.relay import Relay, bus_publisher
from domain.command_log import command_stream
from domain.identity import Role
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from tests.e2e.experiments import spec
from tests.identities import VERIFIER, token
from tests.waiting import eventually

REFUSED = (NatsError, TimeoutError)  # a denied request is never answered: it times out


def embedded(servers: Servers) -> EmbeddedNats:
    if servers.nats is None:
        pytest.skip("the session runs on an external NATS: its permissions are its operator's")
    return servers.nats


async def connect_as(server: EmbeddedNats, user: str, **options: Any) -> Client:
    password = server.users.passwords[user]
    return await nats.connect(
        server.url,
        user=user,
        password=password,
        allow_reconnect=False,
        connect_timeout=2,
        inbox_prefix=inbox_prefix(user),
        **options,
    )


@pytest.fixture
async def publisher(servers: Servers, bus: NatsBus) -> AsyncIterator[Client]:
    client = await connect_as(embedded(servers), PUBLISHER)
    yield client
    await client.close()


@pytest.fixture
async def subscriber(servers: Servers, bus: NatsBus) -> AsyncIterator[Client]:
    client = await connect_as(embedded(servers), SUBSCRIBER)
    yield client
    await client.close()


@pytest.mark.parametrize(
    "credentials", [{}, {"user": "phoenix", "password": "guess"}], ids=["none", "wrong"]
)
async def test_a_connection_without_valid_credentials_is_refused(
    servers: Servers, credentials: dict[str, str]
) -> None:
    server = embedded(servers)
    options: dict[str, Any] = {"allow_reconnect": False, "connect_timeout": 2, **credentials}
    with pytest.raises(REFUSED):
        await nats.connect(server.url, **options)


def command(**token_claims: Any) -> tuple[bytes, dict[str, str]]:
    command_id = str(uuid4())
    body = {"command_id": command_id, "type": "CreateExperiment", "data": spec()}
    headers = {"Nats-Msg-Id": command_id} | token_claims
    return json.dumps(body).encode(), headers


async def test_a_publisher_may_publish_commands_and_nothing_else(publisher: Client) -> None:
    js = publisher.jetstream(timeout=1.0)
    body, headers = command()
    ack = await js.publish("phoenix.cmd.experiment.CreateExperiment", body, headers=headers)
    assert ack.stream == COMMANDS
    with pytest.raises(REFUSED):
        await js.publish("phoenix.evt.experiment.ExperimentCreated", b"{}", stream=EVENTS)
    with pytest.raises(REFUSED):
        await js.delete_stream(COMMANDS)
    with pytest.raises(REFUSED):
        await js.pull_subscribe("phoenix.cmd.>", durable="stolen", stream=COMMANDS)


async def test_a_subscriber_reads_events_through_a_durable_of_its_own(
    subscriber: Client, bus: NatsBus
) -> None:
    await bus.publish(
        "phoenix.evt.experiment.ExperimentCreated", b"{}", {"Nats-Msg-Id": "e1"}, stream=EVENTS
    )
    js = subscriber.jetstream(timeout=2.0)
    pull = await js.pull_subscribe(
        "phoenix.evt.>", durable="downstream", stream=EVENTS, config=ConsumerConfig()
    )
    [message] = await pull.fetch(1, timeout=5)
    await message.ack()
    assert message.subject == "phoenix.evt.experiment.ExperimentCreated"


async def test_a_subscriber_cannot_send_commands_delete_streams_or_use_phoenix_s_consumers(
    subscriber: Client,
) -> None:
    js = subscriber.jetstream(timeout=1.0)
    body, headers = command()
    with pytest.raises(REFUSED):
        await js.publish("phoenix.cmd.experiment.CreateExperiment", body, headers=headers)
    with pytest.raises(REFUSED):
        await js.delete_stream(EVENTS)
    with pytest.raises(REFUSED):  # the command stream carries the senders' tokens
        await js.pull_subscribe("phoenix.cmd.>", durable="peek", stream=COMMANDS)
    with pytest.raises(REFUSED):  # stealing a reactor's events would stall experiments
        await js.pull_subscribe("phoenix.evt.>", durable="reactor-promotion", stream=EVENTS)
    with pytest.raises(REFUSED):
        await js.delete_consumer(EVENTS, "reactor-analysis")


@pytest.mark.parametrize("field", ["durable_name", "name"])
async def test_a_subscriber_cannot_take_a_phoenix_consumer_by_naming_it_only_in_the_request(
    subscriber: Client, field: str
) -> None:
    """The deny list matches consumer names in API subjects; the bare create subject carries
    the name in its body only (nats-server 2.15 takes a ``name`` there), so it is not allowed.
    """
    request = {
        "stream_name": EVENTS,
        "config": {field: "reactor-analysis", "deliver_policy": "all", "ack_policy": "explicit"},
    }
    with pytest.raises(REFUSED):
        await subscriber.request(
            f"$JS.API.CONSUMER.CREATE.{EVENTS}", json.dumps(request).encode(), timeout=1
        )


async def test_a_consumer_is_created_under_the_name_its_subject_gives_whatever_the_body_says(
    subscriber: Client,
) -> None:
    """What the allowed subjects rely on: a body naming Phoenix's consumer under a subject that
    names another creates the other (nats-server 2.15).
    """
    request = {
        "stream_name": EVENTS,
        "config": {"name": "reactor-analysis", "ack_policy": "explicit"},
    }
    reply = await subscriber.request(
        f"$JS.API.CONSUMER.CREATE.{EVENTS}.harmless", json.dumps(request).encode(), timeout=2
    )
    answer = json.loads(reply.data)
    assert answer.get("name") == "harmless", answer


async def test_a_command_published_on_the_bus_with_a_forged_token_is_rejected_readably(
    publisher: Client, subscriber: Client, bus: NatsBus, engine: AsyncEngine
) -> None:
    store = PostgresEventStore(engine)
    worker = CommandWorker(
        bus,
        CommandHandler(store, SystemClock()),
        VERIFIER,
        PostgresDeadLetters(engine),
        policy=DeliveryPolicy(max_deliveries=2, backoff=(0.1,)),
    )
    await worker.start()
    js = publisher.jetstream(timeout=2.0)
    honest, honest_headers = command(Authorization=f"Bearer {token('alice', Role.OPERATOR)}")
    forged, forged_headers = command(Authorization=f"Bearer {token('alice', Role.OPERATOR)}x")
    for body, headers in ((honest, honest_headers), (forged, forged_headers)):
        await js.publish("phoenix.cmd.experiment.CreateExperiment", body, headers=headers)
    honest_id, forged_id = (UUID(json.loads(b)["command_id"]) for b in (honest, forged))
    await eventually(lambda: store.handled_command(forged_id))
    accepted = await eventually(lambda: store.handled_command(honest_id))
    assert accepted is not None and accepted.outcome == "accepted"
    [rejected] = await store.read_stream(command_stream(forged_id))
    assert rejected.data["reason"].startswith("not authenticated")
    assert rejected.metadata.actor == "unauthenticated"
    await worker.stop()

    # Downstream, a subscriber reads the rejection from the bus once the relay publishes it.
    await Relay(engine, bus_publisher(bus)).run_once()
    pull = await subscriber.jetstream(timeout=2.0).pull_subscribe(
        "phoenix.evt.command.CommandRejected", durable="rejections", stream=EVENTS
    )
    [message] = await pull.fetch(1, timeout=5)
    assert json.loads(message.data)["data"]["command_id"] == str(forged_id)


async def test_events_a_subscriber_aims_at_the_command_worker_s_inbox_are_not_taken_for_commands(
    publisher: Client, subscriber: Client, bus: NatsBus, engine: AsyncEngine
) -> None:
    """A subscriber may create push consumers, and NATS lets it choose where they deliver: here
    the inbox Phoenix's command worker listens on. Those deliveries come from another consumer,
    and the worker lets them go without handling them (each would have been a rejection event).
    """
    store = PostgresEventStore(engine)
    worker = CommandWorker(
        bus, CommandHandler(store, SystemClock()), VERIFIER, PostgresDeadLetters(engine)
    )
    await worker.start()
    try:
        planted = [uuid4() for _ in range(3)]
        for event_id in planted:
            await bus.publish(
                "phoenix.evt.experiment.ExperimentCreated",
                json.dumps({"event_id": str(event_id)}).encode(),
                {"Nats-Msg-Id": str(event_id)},
                stream=EVENTS,
            )
        js = subscriber.jetstream(timeout=2.0)
        await js.add_consumer(
            EVENTS,
            ConsumerConfig(
                durable_name="aimed",
                deliver_subject=f"_INBOX.phoenix.{worker.durable}",
                deliver_group=worker.durable,
            ),
        )
        last = (await js.stream_info(EVENTS)).state.last_seq
        await eventually(
            lambda: js.consumer_info(EVENTS, "aimed"),
            until=lambda info: info.delivered.stream_seq >= last,
        )
        # A real command after them, through the same inbox: once it is decided, so were they.
        body, headers = command(Authorization=f"Bearer {token('alice', Role.OPERATOR)}")
        await publisher.jetstream(timeout=2.0).publish(
            "phoenix.cmd.experiment.CreateExperiment", body, headers=headers
        )
        decided = await eventually(
            lambda: store.handled_command(UUID(json.loads(body)["command_id"]))
        )
        assert decided is not None and decided.outcome == "accepted"
        assert [await store.handled_command(event_id) for event_id in planted] == [None] * 3
    finally:
        await worker.stop()


@pytest.mark.parametrize("user", [PUBLISHER, SUBSCRIBER])
async def test_no_user_but_phoenix_may_listen_on_phoenix_s_inboxes(
    servers: Servers, bus: NatsBus, user: str
) -> None:
    """Phoenix's replies (its consumers' deliveries, tokens included) come on ``_INBOX.>``."""
    errors: list[Exception] = []

    async def on_error(error: Exception) -> None:
        errors.append(error)

    client = await connect_as(embedded(servers), user, error_cb=on_error)
    try:
        await client.subscribe("_INBOX.>")
        await client.flush()
        await eventually(lambda: _violations(errors), until=bool, deadline=5)
    finally:
        await client.close()


async def _violations(errors: list[Exception]) -> list[str]:
    return [str(e) for e in errors if "permissions violation" in str(e).lower()]
