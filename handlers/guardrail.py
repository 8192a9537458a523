"""The critical-process guardrail: fail a running experiment early if a candidate loses one."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from uuid import UUID

from domain.analysis.critical import describe_processes
from domain.analysis.retention import disappeared
from domain.analysis.windows import Slice
from domain.experiment import commands as cmd
from domain.experiment.phase import Phase
from handlers.analysis import window_cut
from handlers.experiment_state import critical_patterns, load
from handlers.lifecycle import SETTLE, scheduler_command
from handlers.ports import Clock, CommandBus, EventStore, ExperimentIndex, MetricsSource
from handlers.ticking import every

log = logging.getLogger(__name__)


class Guardrail:
    """Checks every running experiment each tick; trips at most once per candidate."""

    def __init__(
        self,
        index: ExperimentIndex,
        store: EventStore,
        source: MetricsSource,
        bus: CommandBus,
        clock: Clock,
        *,
        tick: float = 1.0,
        confirm: int = 2,
        max_blind: timedelta = timedelta(seconds=60),
        settle: timedelta = SETTLE,
    ) -> None:
        self.index, self.store, self.source, self.bus, self.clock = index, store, source, bus, clock
        self.tick, self.confirm, self.max_blind = tick, confirm, max_blind
        # An interval is judged once it ended this long ago, as the analysis waits after the
        # window: a metrics source that counts points at their timestamps (Prometheus) has them
        # only once the collectors' batching (1 s) and export are done.
        self.settle = settle
        # Per experiment: when its checks began failing, and how many have failed since.
        self.blind: dict[UUID, tuple[datetime, int]] = {}

    async def check(self, experiment_id: UUID) -> list[str]:
        """The candidates tripped on this check (each also sent as TripGuardrail)."""
        state = await load(self.store, experiment_id)
        started = state.started_at
        if state.phase is not Phase.RUNNING or started is None:
            return []
        spec = state.spec
        # The analysis's own cut of the window, so both judge the same intervals.
        count, length = window_cut(state)
        if length <= 0:
            raise ValueError(f"the window's intervals are {length}s long; they must be positive")
        settled = self.clock.now() - self.settle - started
        complete = min(count, int(settled.total_seconds() // length))
        if complete <= self.confirm:
            return []
        # Bounded work per tick, however long the window: everything before the last
        # ``confirm`` intervals is one slice (what the candidate reported at all), then those.
        recent = started + timedelta(seconds=(complete - self.confirm) * length)
        end = started + timedelta(seconds=complete * length)
        patterns = critical_patterns(spec)

        async def intervals(variant: str) -> list[Slice]:
            slices: list[Slice] = []
            for start, until, count in ((started, recent, 1), (recent, end, self.confirm)):
                window = await self.source.window(
                    experiment_id,
                    variant,
                    start=start,
                    end=until,
                    intervals=count,
                    critical_processes=patterns,
                )
                slices.extend(window.intervals)
            return slices

        baseline = await intervals(spec.baseline.name)
        tripped = []
        for candidate in spec.candidates:
            gone = disappeared(baseline, await intervals(candidate.name), confirm=self.confirm)
            if not gone:
                continue
            reason = (
                f"critical process {describe_processes(gone)} disappeared from {candidate.name} for "
                f"{self.confirm} intervals while the baseline still reported it"
            )
            await self.bus.send(
                scheduler_command(
                    cmd.TripGuardrail(
                        experiment_id=experiment_id, variant=candidate.name, reason=reason
                    ),
                    candidate.name,
                )
            )
            tripped.append(candidate.name)
            break  # one trip fails the experiment
        return tripped

    async def run_once(self) -> None:
        for experiment_id in await self.index.in_phases([Phase.RUNNING]):
            try:
                await self.check(experiment_id)
            except Exception as exc:
                log.exception("guardrail check of %s failed", experiment_id)
                await self._failed(experiment_id, exc)
            else:
                self.blind.pop(experiment_id, None)

    async def _failed(self, experiment_id: UUID, exc: Exception) -> None:
        """When every check for ``max_blind`` has failed, fail the experiment with the reason:
        an experiment the guardrail cannot watch must not run on unwatched. A span of time, not a
        count of ticks: a restart of Phoenix's own database or bus takes seconds, and a check
        after it looks back over the intervals it missed, so a short outage loses nothing.
        """
        now = self.clock.now()
        since, failures = self.blind.get(experiment_id, (now, 0))
        self.blind[experiment_id] = (since, failures := failures + 1)
        if now - since < self.max_blind:
            return
        reason = (
            f"the guardrail could not check it for {(now - since).total_seconds():.0f}s "
            f"({failures} checks in a row): {type(exc).__name__}: {exc}"
        )
        await self.bus.send(
            scheduler_command(
                cmd.FailExperiment(experiment_id=experiment_id, reason=reason[:2000]),
                "guardrail-failed",
            )
        )

    async def run(self, stop: asyncio.Event) -> None:
        await every(self.tick, stop, self.run_once)
