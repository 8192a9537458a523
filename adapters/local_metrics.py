"""The `local` metrics source: what Phoenix's own sink measured, per interval of the window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.measured_intervals import Interval, IntervalRecorder, nanos, slices
from domain.analysis.windows import CollectorReport, Slice, VariantWindow
from domain.telemetry.model import Attributes


class LocalMetricsSource:
    """Intervals by arrival time, so a rollup's realigned timestamps do not move its points.

    The critical processes are the experiment's own (the recorder classifies each batch as it
    arrives); ``critical_processes`` is accepted for the port and is the same list.
    """

    def __init__(self, recorder: IntervalRecorder) -> None:
        self.recorder = recorder

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
        if intervals < 1:
            raise ValueError("a window needs at least one interval")
        schedule = await self.recorder.schedule(experiment_id)
        if schedule is None:
            pieces = [Interval() for _ in range(intervals)]
        else:
            stored = await self.recorder.intervals(experiment_id, variant)
            pieces = slices(stored, schedule, nanos(start), nanos(end), intervals)
        everything: set[int] = set().union(*(p.series for p in pieces))
        critical: set[Attributes] = set().union(*(p.critical for p in pieces))
        return VariantWindow(
            series=len(everything),
            datapoints=sum(p.datapoints for p in pieces),
            critical=frozenset(critical),
            intervals=tuple(
                Slice(series=len(p.series), datapoints=p.datapoints, critical=frozenset(p.critical))
                for p in pieces
            ),
        )

    async def collectors(
        self, experiment_id: UUID, variant: str, *, start: datetime, end: datetime
    ) -> CollectorReport | None:
        return None  # the sink sees the variants' output only; the deployer measures collectors
