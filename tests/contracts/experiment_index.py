"""What every experiment index must answer the schedulers: windows that are due, experiments by phase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.experiment.phase import Phase
from handlers.ports import ExperimentIndex
from tests.contracts.experiments import Seeded, experiment

AT = datetime(2029, 2, 3, 4, 5, 6, tzinfo=UTC)


Indexed = Seeded[ExperimentIndex]


class ExperimentIndexContract:
    """Subclass with an ``indexed`` fixture over an empty store."""

    async def test_a_running_experiment_is_due_once_its_window_has_ended(
        self, indexed: Indexed
    ) -> None:
        xid = await experiment(indexed.store, at=AT, seconds=60)
        await indexed.catch_up()
        assert await indexed.of.due_windows(AT + timedelta(seconds=59)) == []
        assert await indexed.of.due_windows(AT + timedelta(seconds=60)) == [xid]
        assert await indexed.of.due_windows(AT + timedelta(days=3)) == [xid]

    async def test_an_experiment_past_running_is_never_due(self, indexed: Indexed) -> None:
        await experiment(indexed.store, at=AT, seconds=60, completed=True)
        await indexed.catch_up()
        assert await indexed.of.due_windows(AT + timedelta(days=1)) == []

    async def test_experiments_are_found_by_phase(self, indexed: Indexed) -> None:
        running = await experiment(indexed.store, at=AT)
        done = await experiment(indexed.store, at=AT, completed=True)
        await indexed.catch_up()
        assert await indexed.of.in_phases([Phase.RUNNING]) == [running]
        assert await indexed.of.in_phases([Phase.COMPLETED]) == [done]
        assert sorted(await indexed.of.in_phases([Phase.RUNNING, Phase.COMPLETED])) == sorted(
            [running, done]
        )
        assert await indexed.of.in_phases([Phase.DEPLOYING]) == []
