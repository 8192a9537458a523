"""The window scheduler closes what is due by the read model, with one command id per window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.memory.bus import InMemoryBus
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.experiment_index import InMemoryExperimentIndex
from domain.messages import CommandEnvelope
from handlers.clock import FixedClock
from handlers.lifecycle import SETTLE, WindowScheduler
from handlers.ports import PublishAck
from tests.contracts.experiments import experiment

START = datetime(2026, 11, 22, tzinfo=UTC)


class Recorded(InMemoryBus):
    """The in-memory bus, remembering every send (a duplicate too, which the stream drops)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[CommandEnvelope] = []

    async def send(self, envelope: CommandEnvelope, *, token: str | None = None) -> PublishAck:
        self.sent.append(envelope)
        return await super().send(envelope, token=token)


async def test_a_window_that_ended_while_nothing_ran_is_closed_on_the_first_tick() -> None:
    store, bus, clock = InMemoryEventStore(), Recorded(), FixedClock(START)
    late = await experiment(store, at=START - timedelta(hours=2), seconds=3600)
    later = await experiment(store, at=START, seconds=30)
    scheduler = WindowScheduler(InMemoryExperimentIndex(store), bus, clock)
    assert await scheduler.run_once() == [late]
    clock.advance(timedelta(seconds=30) + SETTLE + timedelta(seconds=1))
    await scheduler.run_once()
    sent = bus.sent
    assert [e.command_id for e in bus.commands()] == [sent[0].command_id, sent[2].command_id]
    assert [e.data["experiment_id"] for e in sent] == [str(late), str(late), str(later)]
    assert {e.type for e in sent} == {"CloseObservationWindow"}
    # Sent again each tick until the read model catches up: the same id, so decided once.
    assert sent[0].command_id == sent[1].command_id != sent[2].command_id


async def test_a_window_closes_only_once_batches_stamped_before_its_end_have_settled() -> None:
    store, bus = InMemoryEventStore(), InMemoryBus()
    xid = await experiment(store, at=START, seconds=60)
    end = START + timedelta(seconds=60)
    clock = FixedClock(end + SETTLE - timedelta(milliseconds=1))
    scheduler = WindowScheduler(InMemoryExperimentIndex(store), bus, clock)
    assert await scheduler.run_once() == []
    clock.advance(timedelta(milliseconds=1))
    assert await scheduler.run_once() == [xid]
