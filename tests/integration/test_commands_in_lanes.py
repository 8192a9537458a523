"""Commands for different experiments are decided in parallel, those for one in the order sent,
each exactly once (a real NATS and PostgreSQL; the command worker as Phoenix runs it).
"""

from __future__ import annotations

import asyncio
import time
from uuid import UUID, uuid4

from faststream.nats import ConsumerConfig
from nats.js.api import AckPolicy, DeliverPolicy
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.command_worker import DURABLE, CommandWorker
from adapters.nats.bus import NatsBus
from adapters.nats.streams import COMMAND_SUBJECTS, COMMANDS
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.schema import events, handled_commands
from domain.ids import derived_id, experiment_stream
from domain.messages import CommandEnvelope
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from tests.identities import OPERATOR, VERIFIER, operator
from tests.integration.test_command_worker import create
from tests.waiting import eventually

EXPERIMENTS, PER_EXPERIMENT = 16, 50


def commands_for_one_experiment(index: int) -> list[CommandEnvelope]:
    """Create, start, then starts again and cancels: decided in any other order, the outcomes
    (and their places in the log) differ.
    """
    created = create(name=f"lane {index}")
    experiment = str(derived_id("experiment", created.command_id))
    rest = [
        CommandEnvelope(
            command_id=uuid4(),
            type="CancelExperiment" if n == PER_EXPERIMENT // 2 else "StartExperiment",
            data={"experiment_id": experiment}
            | ({"reason": "enough"} if n == PER_EXPERIMENT // 2 else {}),
        )
        for n in range(1, PER_EXPERIMENT)
    ]
    return [created, *rest]


async def test_sixteen_experiments_of_fifty_commands_are_each_decided_in_order_once(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    store = PostgresEventStore(engine)
    worker = _worker(bus, engine)
    await worker.start()
    sent = [commands_for_one_experiment(i) for i in range(EXPERIMENTS)]
    token = operator()

    async def send_in_order(commands: list[CommandEnvelope]) -> None:
        for envelope in commands:
            await bus.send(envelope, token=token)

    started = time.perf_counter()
    await asyncio.gather(*(send_in_order(commands) for commands in sent))
    sending = time.perf_counter() - started

    await eventually(
        lambda: _handled(engine), until=lambda n: n == EXPERIMENTS * PER_EXPERIMENT, deadline=120
    )
    elapsed = time.perf_counter() - started
    print(
        f"\n{EXPERIMENTS * PER_EXPERIMENT / elapsed:,.0f} commands/s decided in {elapsed:.2f} s"
        f" (sending took {sending:.2f} s)"
    )
    await worker.stop()

    first_position = await _first_outcome_positions(engine)
    for commands in sent:
        ids = [c.command_id for c in commands]
        positions = [first_position[command_id] for command_id in ids]
        assert positions == sorted(positions), "decided out of the order sent"
        experiment = derived_id("experiment", commands[0].command_id)
        kinds = [e.type for e in await store.read_stream(experiment_stream(experiment))]
        assert kinds.count("ExperimentCreated") == 1
        assert kinds.count("ExperimentStarted") == 1
        assert kinds.count("ExperimentCancelled") == 1
        outcomes = [await _outcome(store, command_id) for command_id in ids]
        assert outcomes[:2] == ["accepted", "accepted"]
        cancel = PER_EXPERIMENT // 2
        assert outcomes[cancel] == "accepted"
        assert set(outcomes[cancel + 1 :]) == {"rejected"}, "a start after the cancel"


async def _first_outcome_positions(engine: AsyncEngine) -> dict[UUID, int]:
    command_id = events.c.metadata.op("->>")("command_id")
    query = select(command_id, func.min(events.c.position)).group_by(command_id)
    async with engine.connect() as conn:
        return {UUID(cid): position for cid, position in await conn.execute(query) if cid}


async def _outcome(store: PostgresEventStore, command_id: UUID) -> str | None:
    handled = await store.handled_command(command_id)
    return handled.outcome if handled else None


def _worker(bus: NatsBus, engine: AsyncEngine) -> CommandWorker:
    store = PostgresEventStore(engine)
    return CommandWorker(
        bus, CommandHandler(store, SystemClock()), VERIFIER, PostgresDeadLetters(engine)
    )


async def _handled(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).select_from(handled_commands)
        return int((await conn.execute(query)).scalar_one())


async def test_a_worker_stopped_mid_stream_leaves_nothing_stranded_for_the_next(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    token = operator()
    for envelope in (create(name=f"stop {i}") for i in range(40)):
        await bus.send(envelope, token=token)
    first = _worker(bus, engine)
    await first.start()
    await eventually(lambda: _handled(engine), until=lambda n: n > 0)
    await first.stop()
    # What the server had pushed to the first worker was settled, not left for ack_wait (60 s).
    second = _worker(bus, engine)
    await second.start()
    await eventually(lambda: _handled(engine), until=lambda n: n == 40, deadline=20)
    await second.stop()


async def test_the_pull_consumer_of_an_earlier_phoenix_is_replaced_without_losing_commands(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    token = operator()
    sent = [create(name=f"upgrade {i}") for i in range(6)]
    for envelope in sent[:3]:
        await bus.send(envelope, token=token)
    await bus.js.add_consumer(
        COMMANDS,
        config=ConsumerConfig(
            durable_name=DURABLE,
            filter_subject=COMMAND_SUBJECTS,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
        ),
    )
    pull = await bus.js.pull_subscribe_bind(DURABLE, COMMANDS)
    [taken] = await pull.fetch(1, timeout=5)
    await _worker(bus, engine).handler.handle(
        CommandEnvelope.model_validate_json(taken.data), OPERATOR
    )
    await taken.ack_sync()  # the earlier Phoenix handled the first and acknowledged it
    await pull.unsubscribe()
    for envelope in sent[3:]:
        await bus.send(envelope, token=token)
    worker = _worker(bus, engine)
    await worker.start()
    await eventually(lambda: _handled(engine), until=lambda n: n == 6, deadline=20)
    await worker.stop()
    info = await bus.js.consumer_info(COMMANDS, DURABLE)
    assert info.config.deliver_subject, "now a push consumer"
    assert info.num_ack_pending == 0 and info.num_pending == 0
