"""The `local` metrics source: what Phoenix's own sink measured, per interval of the window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.measured_intervals import IntervalRecorder, nanos
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
        counted = await self.recorder.count(
            experiment_id, variant, start=nanos(start), end=nanos(end), slices=intervals
        )
        pieces = counted.slices if counted else ((0, 0, frozenset()),) * intervals
        critical: frozenset[Attributes] = frozenset().union(*(c for _, _, c in pieces))
        return VariantWindow(
            series=counted.series if counted else 0,
            datapoints=sum(d for _, d, _ in pieces),
            critical=critical,
            intervals=tuple(
                Slice(series=series, datapoints=datapoints, critical=critical_here)
                for series, datapoints, critical_here in pieces
            ),
        )

    async def collectors(
        self, experiment_id: UUID, variant: str, *, start: datetime, end: datetime
    ) -> CollectorReport | None:
        return None  # the sink sees the variants' output only; the deployer measures collectors
