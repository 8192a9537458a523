"""The `local` metrics source: what Phoenix's own sink received, cut into intervals by arrival."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import re2

from adapters.otlp_sink import OtlpSink
from domain.telemetry.model import Attributes, SeriesKey, resource_value
from handlers.ports import Slice, VariantWindow


def _nanos(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000) * 1000


class LocalMetricsSource:
    """Intervals by arrival time, so a rollup's realigned timestamps do not move its points."""

    def __init__(self, sink: OtlpSink) -> None:
        self.sink = sink

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
        begin, finish = _nanos(start), _nanos(end)
        length = max(1, (finish - begin) // intervals)
        patterns = [re2.compile(p) for p in critical_processes]
        verdicts: dict[Attributes, bool] = {}

        def critical(resource: Attributes) -> bool:
            known = verdicts.get(resource)
            if known is None:
                name = resource_value(resource, "process.executable.name")
                known = isinstance(name, str) and any(p.search(name) for p in patterns)
                verdicts[resource] = known
            return known

        series: list[set[SeriesKey]] = [set() for _ in range(intervals)]
        points = [0] * intervals
        found: list[set[Attributes]] = [set() for _ in range(intervals)]
        for arrival in list(self.sink.arrivals.get((str(experiment_id), variant), ())):
            if not begin <= arrival.at < finish:
                continue
            index = min(intervals - 1, (arrival.at - begin) // length)
            series[index] |= arrival.series
            points[index] += arrival.datapoints
            found[index].update(r for r in arrival.resources if critical(r))
        everything: set[SeriesKey] = set().union(*series)
        critical_all: set[Attributes] = set().union(*found)
        return VariantWindow(
            series=len(everything),
            datapoints=sum(points),
            critical=frozenset(critical_all),
            intervals=tuple(
                Slice(series=len(s), datapoints=p, critical=frozenset(c))
                for s, p, c in zip(series, points, found, strict=True)
            ),
        )
