"""Cardinality and datapoint rate over an observation window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.telemetry.model import ResourceMetrics, SeriesKey

NANOS_PER_MINUTE = 60 * 1_000_000_000


@dataclass
class SeriesWindow:
    """Distinct series and datapoints seen over a window; cardinality is never a count of names."""

    series: set[SeriesKey] = field(default_factory=set)
    datapoints: int = 0
    first_time: int | None = None
    last_time: int | None = None

    def add(self, batch: Iterable[ResourceMetrics]) -> None:
        series, count = self.series, 0
        first, last = self.first_time, self.last_time
        for rm in batch:
            resource = rm.resource
            for metric in rm.metrics:
                name = metric.name
                for point in metric.points:
                    series.add((resource, name, point.attributes))
                    t = point.time_unix_nano
                    if first is None or t < first:
                        first = t
                    if last is None or t > last:
                        last = t
                count += len(metric.points)
        self.datapoints += count
        self.first_time, self.last_time = first, last

    @property
    def cardinality(self) -> int:
        return len(self.series)

    def span(self, interval_nanos: int) -> int:
        """From the first scrape to one interval past the last, in nanoseconds (0 if empty)."""
        if self.first_time is None or self.last_time is None:
            return 0
        return self.last_time - self.first_time + interval_nanos

    def datapoints_per_minute(self, interval_nanos: int, *, over: int | None = None) -> float:
        """Datapoints per minute over ``over`` nanoseconds (by default, this window's own span).

        Compare two sides over the same span: a pipeline that emits in 2 scrapes out of 60 must
        not look as dense as its input.
        """
        span = over if over is not None else self.span(interval_nanos)
        return self.datapoints * NANOS_PER_MINUTE / span if span else 0.0
