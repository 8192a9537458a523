"""Analysis: when the observation window closes, measure every variant and judge each candidate."""

from __future__ import annotations

import asyncio
from uuid import UUID

from domain.analysis.cost import DEFAULT_PRICES, Prices
from domain.analysis.verdict import judge, measures_of
from domain.analysis.windows import Exited, Overhead, Span, VariantWindow
from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.phase import Phase
from domain.experiment.state import Experiment
from domain.mapper import Occurred
from domain.messages import Command, Event
from handlers.experiment_state import collection_interval_seconds, critical_patterns, load
from handlers.ports import CollectorExited, Deployer, EventStore, MetricsSource

MAX_INTERVALS = 60


def interval_count(window_seconds: float, collection_seconds: float) -> int:
    """Whole scrapes per interval: the window cut at the collection interval, at most 60 pieces."""
    scrapes = int(window_seconds // collection_seconds) if collection_seconds > 0 else 1
    return max(1, min(MAX_INTERVALS, scrapes))


def window_cut(state: Experiment) -> tuple[int, float]:
    """How the experiment's window is cut: (intervals, seconds each), for every reader alike."""
    assert state.started_at is not None and state.window_ends_at is not None
    seconds = (state.window_ends_at - state.started_at).total_seconds()
    count = interval_count(seconds, collection_interval_seconds(state))
    return count, seconds / count


class Analysis:
    """Reacts to ObservationWindowClosed with RecordAnalysis: measures, intervals, verdicts."""

    name = "analysis"
    event_types = (ev.ObservationWindowClosed,)

    def __init__(
        self,
        store: EventStore,
        source: MetricsSource,
        deployer: Deployer | None = None,
        *,
        prices: Prices = DEFAULT_PRICES,
    ) -> None:
        self.store, self.source, self.deployer, self.prices = store, source, deployer, prices

    async def react(self, occurred: Occurred[Event]) -> list[Command]:
        event = occurred.event
        assert isinstance(event, ev.ObservationWindowClosed)
        state = await load(self.store, event.experiment_id)
        if state.phase is not Phase.ANALYZING or state.started_at is None:
            return []
        assert state.window_ends_at is not None
        spec = state.spec
        count, length = window_cut(state)
        seconds = count * length
        span = Span(minutes=seconds / 60, interval_minutes=length / 60)
        patterns = critical_patterns(spec)
        windows: dict[str, VariantWindow] = {}
        for name in spec.variant_names:
            windows[name] = await self.source.window(
                state.experiment_id,
                name,
                start=state.started_at,
                end=state.window_ends_at,
                intervals=count,
                critical_processes=patterns,
            )
        baseline = windows[spec.baseline.name]
        reports = {
            name: await self.source.collectors(
                state.experiment_id, name, start=state.started_at, end=state.window_ends_at
            )
            for name in spec.variant_names
        }
        results = []
        for candidate in spec.candidates:
            # The collectors' own telemetry where the source has it; else the deployer's view.
            report = reports[candidate.name]
            overhead = (
                report.overhead
                if report is not None
                else await self._overhead(state.experiment_id, candidate.name)
            )
            # CPU-bound (rank tests): off the event loop, which serves the API meanwhile.
            result = await asyncio.to_thread(
                judge,
                candidate.name,
                baseline,
                windows[candidate.name],
                span=span,
                criteria=spec.success_criteria,
                overhead=overhead,
                prices=self.prices,
                collectors=report,
            )
            results.append(result)
        measured = measures_of(
            spec.baseline.name, baseline, span, self.prices, collectors=reports[spec.baseline.name]
        )
        return [
            cmd.RecordAnalysis(
                experiment_id=state.experiment_id, results=tuple(results), baseline=measured
            )
        ]

    async def _overhead(self, experiment_id: UUID, variant: str) -> Overhead | Exited | None:
        if self.deployer is None:
            return None
        try:
            return await self.deployer.overhead(experiment_id, variant)
        except CollectorExited as exc:
            return Exited(str(exc))
