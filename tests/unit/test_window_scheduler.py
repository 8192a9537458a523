"""The window scheduler closes what is due by the read model, with one command id per window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.experiment.phase import Phase
from domain.messages import CommandEnvelope
from handlers.lifecycle import SETTLE, WindowScheduler
from handlers.ports import PublishAck


class Index:
    def __init__(self, ends: dict[UUID, datetime]) -> None:
        self.ends = ends

    async def due_windows(self, now: datetime) -> list[UUID]:
        return [x for x, end in self.ends.items() if end <= now]

    async def in_phases(self, phases: Sequence[Phase]) -> list[UUID]:
        return list(self.ends)


class Bus:
    def __init__(self) -> None:
        self.sent: list[CommandEnvelope] = []

    async def send(self, envelope: CommandEnvelope) -> PublishAck:
        self.sent.append(envelope)
        return PublishAck("PHOENIX_COMMANDS", len(self.sent), False)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


async def test_a_window_that_ended_while_nothing_ran_is_closed_on_the_first_tick() -> None:
    start = datetime(2026, 11, 22, tzinfo=UTC)
    late, later = uuid4(), uuid4()
    bus, clock = Bus(), Clock(start)
    scheduler = WindowScheduler(
        Index({late: start - timedelta(hours=1), later: start + timedelta(seconds=30)}), bus, clock
    )
    assert await scheduler.run_once() == [late]
    clock.at = start + timedelta(seconds=30) + SETTLE + timedelta(seconds=1)
    await scheduler.run_once()
    assert [e.data["experiment_id"] for e in bus.sent] == [str(late), str(late), str(later)]
    assert {e.type for e in bus.sent} == {"CloseObservationWindow"}
    # Sent again each tick until the read model catches up: the same id, so decided once.
    assert bus.sent[0].command_id == bus.sent[1].command_id != bus.sent[2].command_id


async def test_a_window_closes_only_once_batches_stamped_before_its_end_have_settled() -> None:
    end = datetime(2026, 11, 22, tzinfo=UTC)
    experiment = uuid4()
    bus, clock = Bus(), Clock(end + SETTLE - timedelta(milliseconds=1))
    scheduler = WindowScheduler(Index({experiment: end}), bus, clock)
    assert await scheduler.run_once() == []
    clock.at = end + SETTLE
    assert await scheduler.run_once() == [experiment]
