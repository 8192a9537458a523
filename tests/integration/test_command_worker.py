"""The command worker turns commands on the bus into events, rejections or dead letters, once."""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.command_worker import CommandWorker
from adapters.embedded.servers import Servers
from adapters.nats.bus import NatsBus
from adapters.nats.consumer import DeliveryPolicy
from adapters.nats.streams import COMMANDS
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.schema import events, handled_commands
from domain.identity import Role
from domain.ids import derived_id, experiment_stream
from domain.messages import CommandEnvelope
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from tests.identities import VERIFIER, bearer, operator
from tests.waiting import eventually

POLICY = DeliveryPolicy(max_deliveries=3, backoff=(0.05,), ack_wait=5, workers=1, batch_size=1)


def create(name: str = "halve it", **extra: Any) -> CommandEnvelope:
    data = {
        "name": name,
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
        "duration_seconds": 60,
        **extra,
    }
    return CommandEnvelope(command_id=uuid4(), type="CreateExperiment", data=data)


@pytest.fixture
async def worker(bus: NatsBus, engine: AsyncEngine) -> CommandWorker:
    store = PostgresEventStore(engine)
    worker = CommandWorker(
        bus,
        CommandHandler(store, SystemClock()),
        VERIFIER,
        PostgresDeadLetters(engine),
        policy=POLICY,
    )
    await worker.start()
    return worker


async def outcome(engine: AsyncEngine, command_id: UUID) -> str | None:
    handled = await PostgresEventStore(engine).handled_command(command_id)
    return handled.outcome if handled else None


async def test_a_command_sent_on_the_bus_is_appended_as_events(
    worker: CommandWorker, bus: NatsBus, engine: AsyncEngine
) -> None:
    sent = create()
    await bus.send(sent, token=operator())
    assert await eventually(lambda: outcome(engine, sent.command_id)) == "accepted"
    stream = experiment_stream(derived_id("experiment", sent.command_id))
    [created] = await PostgresEventStore(engine).read_stream(stream)
    assert created.type == "ExperimentCreated"


async def test_an_invalid_command_leaves_a_rejection_the_sender_can_read(
    worker: CommandWorker, bus: NatsBus, engine: AsyncEngine
) -> None:
    sent = create(duration_seconds="soon")
    await bus.send(sent, token=operator())
    assert await eventually(lambda: outcome(engine, sent.command_id)) == "rejected"
    [rejection] = await PostgresEventStore(engine).read_stream(f"command-{sent.command_id}")
    assert rejection.data["reason"].startswith(
        "data.duration_seconds: Input should be a valid integer"
    )


async def test_a_body_that_is_not_json_is_rejected_under_its_message_id(
    worker: CommandWorker, bus: NatsBus, engine: AsyncEngine
) -> None:
    command_id = uuid4()
    await bus.publish(
        "phoenix.cmd.experiment.CreateExperiment",
        b"{nope",
        {"Nats-Msg-Id": str(command_id)},
        stream=COMMANDS,
    )
    assert await eventually(lambda: outcome(engine, command_id)) == "rejected"
    [rejection] = await PostgresEventStore(engine).read_stream(f"command-{command_id}")
    assert rejection.data["reason"].startswith("the body is not JSON")


async def test_a_message_with_no_command_id_at_all_becomes_a_dead_letter(
    worker: CommandWorker, bus: NatsBus, engine: AsyncEngine
) -> None:
    await bus.publish(
        "phoenix.cmd.experiment.Nothing",
        json.dumps({"hello": 1}).encode(),
        {"Nats-Msg-Id": "not-a-uuid"},
        stream=COMMANDS,
    )
    [letter] = await eventually(PostgresDeadLetters(engine).list)
    assert letter.consumer == "command-worker"
    assert "no command id" in letter.error


async def test_two_workers_on_the_same_commands_produce_each_effect_exactly_once(
    servers: Servers, bus: NatsBus, engine: AsyncEngine
) -> None:
    buses = [NatsBus(servers.nats_url, security=servers.nats_security) for _ in range(2)]
    store = PostgresEventStore(engine)
    for index, other in enumerate(buses):
        await other.start()
        # Separate durables: each worker receives every command, so they truly race.
        await CommandWorker(
            other,
            CommandHandler(store, SystemClock()),
            VERIFIER,
            PostgresDeadLetters(engine),
            durable=f"worker-{index}",
            policy=POLICY,
        ).start()
    try:
        sent = [create(name=f"e{i}") for i in range(40)]
        for envelope in sent:
            await bus.send(envelope, token=operator())
            # Again under another message id, so JetStream's own dedup cannot hide a double effect.
            await bus.publish(
                f"phoenix.cmd.experiment.{envelope.type}",
                envelope.model_dump_json().encode(),
                {"Nats-Msg-Id": f"{envelope.command_id}-again", **bearer("alice", Role.OPERATOR)},
                stream=COMMANDS,
            )

        async def handled() -> int:
            async with engine.connect() as conn:
                return int(
                    (
                        await conn.execute(select(func.count()).select_from(handled_commands))
                    ).scalar_one()
                )

        await eventually(handled, until=lambda n: n == 40)
        for name in ("worker-0", "worker-1"):
            await eventually(partial(bus.consumer_pending, COMMANDS, name), until=lambda p: p == 0)
        async with engine.connect() as conn:
            count = (await conn.execute(select(func.count()).select_from(events))).scalar_one()
        assert count == 40
    finally:
        for other in buses:
            await other.stop()


async def test_commands_sent_back_to_back_are_decided_in_the_order_sent(
    worker: CommandWorker, bus: NatsBus, engine: AsyncEngine
) -> None:
    starts = []
    for _ in range(15):
        created = create()
        start = CommandEnvelope(
            command_id=uuid4(),
            type="StartExperiment",
            data={"experiment_id": str(derived_id("experiment", created.command_id))},
        )
        await bus.send(created, token=operator())
        await bus.send(start, token=operator())
        starts.append(start.command_id)
    for command_id in starts:
        assert await eventually(partial(outcome, engine, command_id)) == "accepted"
