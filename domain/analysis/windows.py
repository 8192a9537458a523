"""What is measured of a variant: its output over a window, cut into intervals, and its overhead."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.telemetry.model import Attributes


@dataclass(frozen=True)
class Slice:
    """One interval of one variant's output: distinct series, datapoints, critical processes."""

    series: int
    datapoints: int
    critical: frozenset[Attributes]


@dataclass(frozen=True)
class VariantWindow:
    """One variant's output over a window, whole and cut into equal intervals."""

    series: int
    datapoints: int
    critical: frozenset[Attributes]
    intervals: tuple[Slice, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Overhead:
    """What a variant's collectors cost the hosts they run on."""

    cpu_cores: float
    resident_bytes: int


@dataclass(frozen=True)
class CollectorReport:
    """What a variant's collectors say of themselves over a window: their cost (the busiest
    collector's CPU and resident memory) and the points all of them took in and sent on (None
    where a collector does not report them).
    """

    cpu_cores: float
    resident_bytes: int
    points_in: int | None = None
    points_out: int | None = None
    points_failed: int | None = None  # the exporter could not deliver (refused, unreachable)

    @property
    def overhead(self) -> Overhead:
        return Overhead(self.cpu_cores, self.resident_bytes)


@dataclass(frozen=True)
class Exited:
    """A variant's collector exited before its overhead was measured; the reason says how."""

    reason: str


@dataclass(frozen=True)
class Span:
    """The observation window's length and how it is cut, in minutes."""

    minutes: float
    interval_minutes: float
