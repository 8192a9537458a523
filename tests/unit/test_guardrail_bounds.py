"""The guardrail does bounded work on every tick, and an experiment it cannot watch is failed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.memory.bus import InMemoryBus
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.experiment_index import InMemoryExperimentIndex
from adapters.memory.measured_intervals import InMemoryIntervals
from domain.analysis.windows import VariantWindow
from handlers.analysis import window_cut
from handlers.clock import FixedClock
from handlers.experiment_state import load
from handlers.guardrail import Guardrail
from handlers.lifecycle import SETTLE
from tests.contracts.experiments import experiment
from tests.unit.experiment_builders import NOW


class CountingSource(LocalMetricsSource):
    """The in-memory metrics source, remembering how many intervals it was asked for (or, told
    to fail, failing as an unreachable source does).
    """

    def __init__(self, store: InMemoryEventStore, fail: bool = False) -> None:
        super().__init__(IntervalRecorder(store, InMemoryIntervals()))
        self.asked: list[int] = []
        self.fail = fail

    async def window(self, experiment_id: UUID, variant: str, **span: Any) -> VariantWindow:
        if self.fail:
            raise ConnectionError("the metrics source is unreachable")
        self.asked.append(span["intervals"])
        return await super().window(experiment_id, variant, **span)


async def test_a_check_asks_for_the_history_and_the_last_intervals_however_long_it_ran() -> None:
    store = InMemoryEventStore()
    xid = await experiment(store, at=NOW, seconds=600)
    source = CountingSource(store)
    later = FixedClock(
        NOW + timedelta(days=29)
    )  # far past the window's end: every interval is done
    guardrail = Guardrail(InMemoryExperimentIndex(store), store, source, InMemoryBus(), later)
    assert await guardrail.check(xid) == []
    # Per variant: everything before the last two intervals as one slice, then those two.
    assert source.asked == [1, 2] * 2


async def test_an_experiment_the_guardrail_cannot_check_for_a_minute_is_failed_once() -> None:
    store, bus = InMemoryEventStore(), InMemoryBus()
    await experiment(store, at=NOW, seconds=600)
    clock = FixedClock(NOW + timedelta(minutes=5))
    guardrail = Guardrail(
        InMemoryExperimentIndex(store), store, CountingSource(store, fail=True), bus, clock
    )
    for _ in range(59):
        await guardrail.run_once()
        clock.advance(timedelta(seconds=1))
    assert [e for e in bus.commands() if e.type == "FailExperiment"] == []
    for _ in range(3):
        await guardrail.run_once()
        clock.advance(timedelta(seconds=1))
    fails = [e for e in bus.commands() if e.type == "FailExperiment"]
    assert len({e.command_id for e in fails}) == 1
    assert (
        fails[0]
        .data["reason"]
        .startswith(
            "the guardrail could not check it for 60s (61 checks in a row): ConnectionError"
        )
    )


async def test_a_short_outage_does_not_fail_the_experiment_and_the_next_outage_starts_afresh() -> (
    None
):
    store, bus = InMemoryEventStore(), InMemoryBus()
    await experiment(store, at=NOW, seconds=600)
    clock = FixedClock(NOW + timedelta(minutes=5))
    source = CountingSource(store, fail=True)
    guardrail = Guardrail(InMemoryExperimentIndex(store), store, source, bus, clock)
    for fails in (True, False, True):
        source.fail = fails
        for _ in range(40):
            await guardrail.run_once()
            clock.advance(timedelta(seconds=1))
    assert [e for e in bus.commands() if e.type == "FailExperiment"] == []


async def test_an_interval_is_judged_only_once_it_has_settled() -> None:
    # Through Prometheus points count at their timestamps, and the collectors batch (1 s) before
    # they export: an interval that has only just ended may still lack a candidate's points.
    store = InMemoryEventStore()
    xid = await experiment(store, at=NOW, seconds=600)
    state = await load(store, xid)
    assert state.started_at is not None
    _, length = window_cut(state)
    three_ended = state.started_at + timedelta(seconds=3 * length)

    def guardrail(at: timedelta) -> tuple[Guardrail, CountingSource]:
        source = CountingSource(store)
        clock = FixedClock(three_ended + at)
        return Guardrail(
            InMemoryExperimentIndex(store), store, source, InMemoryBus(), clock
        ), source

    unsettled, asked_too_soon = guardrail(SETTLE - timedelta(milliseconds=1))
    assert await unsettled.check(xid) == []
    assert asked_too_soon.asked == []  # two intervals settled: too few to judge the last two of
    settled, asked = guardrail(SETTLE)
    assert await settled.check(xid) == []
    assert asked.asked == [1, 2] * 2
