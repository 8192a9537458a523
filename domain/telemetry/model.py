"""The metric data model, mirroring OTLP, kept compact: attributes are sorted, hashable tuples."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

AttrValue = str | int | float | bool
Attributes = tuple[tuple[str, AttrValue], ...]


def attributes(values: Mapping[str, AttrValue] | Iterable[tuple[str, AttrValue]]) -> Attributes:
    """The canonical form: sorted by key, so equal attribute sets are equal tuples."""
    items = values.items() if isinstance(values, Mapping) else values
    return tuple(sorted(items))


class MetricType(StrEnum):
    SUM = "Sum"
    GAUGE = "Gauge"


class Temporality(StrEnum):
    CUMULATIVE = "Cumulative"
    DELTA = "Delta"
    UNSPECIFIED = "Unspecified"


@dataclass(slots=True)
class DataPoint:
    attributes: Attributes
    value: float
    start_time_unix_nano: int
    time_unix_nano: int
    is_int: bool = False


@dataclass(slots=True)
class Metric:
    name: str
    type: MetricType
    unit: str = ""
    description: str = ""
    monotonic: bool = False
    temporality: Temporality = Temporality.UNSPECIFIED
    points: list[DataPoint] = field(default_factory=list)

    def empty_like(self) -> Metric:
        return Metric(
            self.name, self.type, self.unit, self.description, self.monotonic, self.temporality
        )


@dataclass(slots=True)
class ResourceMetrics:
    """One resource (for process metrics: one process on one host) and its metrics."""

    resource: Attributes
    metrics: list[Metric]
    scope: str = ""


Batch = list[ResourceMetrics]

SeriesKey = tuple[Attributes, str, Attributes]


def series_of(batch: Iterable[ResourceMetrics]) -> Iterator[SeriesKey]:
    """Every datapoint's series identity: (resource attributes, metric name, point attributes)."""
    for rm in batch:
        for metric in rm.metrics:
            for point in metric.points:
                yield (rm.resource, metric.name, point.attributes)


def datapoint_count(batch: Iterable[ResourceMetrics]) -> int:
    return sum(len(m.points) for rm in batch for m in rm.metrics)


def resource_value(resource: Attributes, key: str) -> AttrValue | None:
    for k, v in resource:
        if k == key:
            return v
    return None
