"""Estimate what a pipeline does to a stream of batches: series, datapoints, critical retention, cost."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import re2

from domain.telemetry.model import Batch, resource_value
from domain.telemetry.window import SeriesWindow
from pipelines.evaluator import Evaluator

MINUTES_PER_MONTH = 60 * 24 * 30


@dataclass(frozen=True)
class Prices:
    """What a metrics backend charges: per active series a month, per million datapoints."""

    per_series_month: float = 0.05
    per_million_datapoints: float = 0.10


@dataclass
class Side:
    window: SeriesWindow = field(default_factory=SeriesWindow)
    critical: set[tuple[object, ...]] = field(default_factory=set)


@dataclass(frozen=True)
class Estimate:
    input_series: int
    output_series: int
    input_dpm: float
    output_dpm: float
    critical_in: int
    critical_out: int
    input_cost: float
    output_cost: float

    @property
    def series_reduction(self) -> float:
        return 1 - self.output_series / self.input_series if self.input_series else 0.0

    @property
    def datapoint_reduction(self) -> float:
        return 1 - self.output_dpm / self.input_dpm if self.input_dpm else 0.0

    @property
    def critical_retention(self) -> float | None:
        """None when no critical process was seen at all: nothing was measured, nothing passed."""
        return self.critical_out / self.critical_in if self.critical_in else None

    @property
    def cost_reduction(self) -> float:
        return 1 - self.output_cost / self.input_cost if self.input_cost else 0.0

    def as_dict(self) -> dict[str, float | None]:
        return {
            "input_series": self.input_series,
            "output_series": self.output_series,
            "series_reduction": round(self.series_reduction, 4),
            "input_datapoints_per_minute": round(self.input_dpm, 1),
            "output_datapoints_per_minute": round(self.output_dpm, 1),
            "datapoint_reduction": round(self.datapoint_reduction, 4),
            "critical_processes_in": self.critical_in,
            "critical_processes_out": self.critical_out,
            "critical_retention": None
            if self.critical_retention is None
            else round(self.critical_retention, 4),
            "input_cost_per_month": round(self.input_cost, 2),
            "output_cost_per_month": round(self.output_cost, 2),
            "cost_reduction": round(self.cost_reduction, 4),
        }


def _critical(batch: Batch, patterns: Sequence[Any], into: set[tuple[object, ...]]) -> None:
    """Critical processes by their full identity: every resource attribute, unchanged."""
    for rm in batch:
        name = resource_value(rm.resource, "process.executable.name")
        if isinstance(name, str) and any(p.search(name) for p in patterns):
            into.add(rm.resource)


def cost(series: int, dpm: float, prices: Prices) -> float:
    return (
        series * prices.per_series_month
        + dpm * MINUTES_PER_MONTH / 1e6 * prices.per_million_datapoints
    )


def estimate(
    scrapes: Iterable[tuple[int, list[Batch]]],
    candidate: Evaluator,
    *,
    critical_processes: Sequence[str],
    interval_nanos: int,
    prices: Prices = Prices(),
) -> Estimate:
    """Run every scrape through ``candidate``; the input itself is the baseline."""
    patterns = [re2.compile(p) for p in critical_processes]  # as the collector matches them
    before, after = Side(), Side()
    for _, batches in scrapes:
        for batch in batches:
            before.window.add(batch)
            _critical(batch, patterns, before.critical)
            out = candidate.run(batch)
            after.window.add(out)
            _critical(out, patterns, after.critical)
    span = before.window.span(interval_nanos)
    in_dpm = before.window.datapoints_per_minute(interval_nanos, over=span)
    out_dpm = after.window.datapoints_per_minute(interval_nanos, over=span)
    return Estimate(
        input_series=before.window.cardinality,
        output_series=after.window.cardinality,
        input_dpm=in_dpm,
        output_dpm=out_dpm,
        critical_in=len(before.critical),
        critical_out=len(before.critical & after.critical),
        input_cost=cost(before.window.cardinality, in_dpm, prices),
        output_cost=cost(after.window.cardinality, out_dpm, prices),
    )
