"""A reactor reacts to each event once, however often the event is delivered."""

from __future__ import annotations

from functools import partial
from uuid import uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.command_worker import CommandWorker
from adapters.nats.bus import NatsBus
from adapters.nats.consumer import DeliveryPolicy
from adapters.nats.streams import EVENTS
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.schema import reactor_effects
from adapters.postgres.tracking import PostgresTracking
from adapters.reactor_runner import ReactorRunner
from adapters.relay import Relay, bus_publisher, event_headers
from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.ids import experiment_stream
from domain.mapper import Occurred
from domain.messages import Command, CommandEnvelope, Event, RecordedEvent
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from tests.identities import VERIFIER, operator, signed
from tests.integration.test_command_worker import create
from tests.waiting import eventually

FAST = DeliveryPolicy(max_deliveries=3, backoff=(0.05,), ack_wait=5, batch_size=1)


class FailsWhatIsCreated:
    """A stand-in reactor: every new experiment is failed at once (a command only handlers send)."""

    name = "auto-fail"
    event_types = (ev.ExperimentCreated,)

    def __init__(self) -> None:
        self.calls = 0

    async def react(self, occurred: Occurred[Event]) -> list[Command]:
        self.calls += 1
        assert isinstance(occurred.event, ev.ExperimentCreated)
        return [cmd.FailExperiment(experiment_id=occurred.event.experiment_id, reason="test")]


async def test_a_reactor_sends_its_command_once_even_when_the_event_comes_twice(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    store, dead = PostgresEventStore(engine), PostgresDeadLetters(engine)
    await CommandWorker(
        bus, CommandHandler(store, SystemClock()), VERIFIER, dead, policy=FAST
    ).start()
    reactor = FailsWhatIsCreated()
    await ReactorRunner(
        bus,
        PostgresTracking(engine),
        reactor,
        dead,
        sender=signed(bus, "reactor:auto-fail"),
        policy=FAST,
    ).start()
    relay = Relay(engine, bus_publisher(bus))

    sent: CommandEnvelope = create()
    await bus.send(sent, token=operator())
    created = await eventually(partial(store.read_all, 0, 10), until=lambda e: len(e) == 1)
    await relay.run_once()
    # The same event delivered again under another message id (as after a purge and re-relay).
    again = {**event_headers(created[0]), "Nats-Msg-Id": f"{created[0].event_id}-again"}
    await bus.publish(
        "phoenix.evt.experiment.ExperimentCreated",
        created[0].model_dump_json().encode(),
        again,
        stream=EVENTS,
    )

    stream = created[0].stream_id
    history = await eventually(partial(store.read_stream, stream), until=lambda e: len(e) == 2)
    await eventually(
        partial(bus.consumer_pending, EVENTS, "reactor-auto-fail"), until=lambda p: p == 0
    )
    await eventually(
        partial(bus.consumer_pending, "PHOENIX_COMMANDS", "command-worker"), until=lambda p: p == 0
    )
    assert [e.type for e in await store.read_stream(stream)] == [
        "ExperimentCreated",
        "ExperimentFailed",
    ]
    failed = history[1]
    assert failed.metadata.actor == "reactor:auto-fail"  # the subject of its service token
    assert failed.metadata.correlation_id == sent.command_id
    assert stream == experiment_stream(failed.data["experiment_id"])
    async with engine.connect() as conn:
        effects = (
            await conn.execute(select(func.count()).select_from(reactor_effects))
        ).scalar_one()
    assert effects == 1
    assert reactor.calls == 1


class AlwaysFails:
    """A reactor whose effect can never happen (a broken config, an unreachable cluster)."""

    name = "always-fails"
    event_types = (ev.ExperimentStarted,)

    async def react(self, occurred: Occurred[Event]) -> list[Command]:
        raise RuntimeError("the cluster refused the config")


async def test_an_experiment_whose_event_a_reactor_keeps_failing_on_ends_failed_with_the_reason(
    bus: NatsBus, engine: AsyncEngine
) -> None:
    store, dead = PostgresEventStore(engine), PostgresDeadLetters(engine)
    await CommandWorker(
        bus, CommandHandler(store, SystemClock()), VERIFIER, dead, policy=FAST
    ).start()
    await ReactorRunner(
        bus,
        PostgresTracking(engine),
        AlwaysFails(),
        dead,
        sender=signed(bus, "reactor:always-fails"),
        policy=FAST,
    ).start()
    relay = Relay(engine, bus_publisher(bus))
    created = create()
    await bus.send(created, token=operator())
    [event] = await eventually(partial(store.read_all, 0, 10), until=lambda e: len(e) == 1)
    await bus.send(
        CommandEnvelope(
            command_id=uuid4(),
            type="StartExperiment",
            data={"experiment_id": event.data["experiment_id"]},
        ),
        token=operator(),
    )

    async def history() -> list[RecordedEvent]:
        await relay.run_once()
        return await store.read_stream(event.stream_id)

    found = await eventually(history, until=lambda h: h[-1].type == "ExperimentFailed")
    assert found[-1].data["reason"] == (
        "the always-fails handler failed on ExperimentStarted: RuntimeError: "
        "the cluster refused the config"
    )
    assert found[-1].metadata.actor == "reactor:always-fails"
    letters = await eventually(dead.list, until=lambda d: len(d) == 1)
    assert letters[0].consumer == "reactor-always-fails"
