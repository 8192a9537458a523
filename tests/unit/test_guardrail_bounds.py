"""The guardrail does bounded work on every tick, and an experiment it cannot watch is failed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from adapters.memory.event_store import InMemoryEventStore
from domain.analysis.windows import Slice, VariantWindow
from domain.experiment.phase import Phase
from domain.messages import CommandEnvelope
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler
from handlers.guardrail import Guardrail
from tests.unit.experiment_builders import NOW, XID, to_running
from tests.unit.test_window_scheduler import Bus, Clock


class Index:
    async def due_windows(self, now: datetime) -> list[UUID]:
        return []

    async def in_phases(self, phases: Sequence[Phase]) -> list[UUID]:
        return [XID]


class CountingSource:
    """Answers every window with empty intervals, and remembers how many it was asked for."""

    def __init__(self, fail: bool = False) -> None:
        self.asked: list[int] = []
        self.fail = fail

    async def window(
        self,
        experiment_id: UUID,
        variant: str,
        *,
        start: datetime,
        end: datetime,
        intervals: int,
        critical_processes: Sequence[str],
    ) -> VariantWindow:
        if self.fail:
            raise ConnectionError("the metrics source is unreachable")
        self.asked.append(intervals)
        return VariantWindow(
            0, 0, frozenset(), tuple(Slice(0, 0, frozenset()) for _ in range(intervals))
        )


async def running_store() -> InMemoryEventStore:
    store = InMemoryEventStore()
    handler = CommandHandler(store, FixedClock(NOW))
    for command in to_running():
        envelope = CommandEnvelope(
            command_id=uuid4(), type=command.type_name(), data=command.model_dump(mode="json")
        )
        assert (await handler.handle(envelope)).result == "accepted"
    return store


async def test_a_check_asks_for_the_history_and_the_last_intervals_however_long_it_ran() -> None:
    store = await running_store()
    source = CountingSource()
    later = Clock(NOW + timedelta(days=29))  # far past the window's end: every interval is done
    guardrail = Guardrail(Index(), store, source, Bus(), later)
    assert await guardrail.check(XID) == []
    # Per variant: everything before the last two intervals as one slice, then those two.
    assert source.asked == [1, 2] * 3


async def test_an_experiment_the_guardrail_cannot_check_five_times_in_a_row_is_failed_once() -> (
    None
):
    store = await running_store()
    bus = Bus()
    guardrail = Guardrail(
        Index(), store, CountingSource(fail=True), bus, Clock(NOW + timedelta(minutes=5))
    )
    for _ in range(7):
        await guardrail.run_once()
    fails = [e for e in bus.sent if e.type == "FailExperiment"]
    assert len({e.command_id for e in fails}) == 1
    assert (
        fails[0]
        .data["reason"]
        .startswith("the guardrail could not check it 5 times in a row: ConnectionError")
    )
