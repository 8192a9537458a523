"""Estimate what a pipeline does to a stream of batches: series, datapoints, critical retention, cost."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.analysis.cost import DEFAULT_PRICES, Prices, cost
from domain.analysis.critical import critical_processes as critical_processes_of
from domain.telemetry.model import Attributes, Batch
from domain.telemetry.window import SeriesWindow
from pipelines.evaluator import Evaluator

__all__ = ["Estimate", "Prices", "estimate"]


@dataclass
class Side:
    window: SeriesWindow = field(default_factory=SeriesWindow)
    critical: set[Attributes] = field(default_factory=set)

    def add_critical(self, found: set[Attributes]) -> None:
        self.critical |= found


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
    # The critical processes seen in the input and missing from the output, and those kept,
    # each by its identity (domain.analysis.critical).
    critical_lost: frozenset[Attributes] = frozenset()
    critical_kept: frozenset[Attributes] = frozenset()

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


def estimate(
    scrapes: Iterable[tuple[int, list[Batch]]],
    candidate: Evaluator,
    *,
    critical_processes: Sequence[str],
    interval_nanos: int,
    prices: Prices = DEFAULT_PRICES,
) -> Estimate:
    """Run every scrape through ``candidate``; the input itself is the baseline."""
    critical = critical_processes_of(tuple(critical_processes))
    before, after = Side(), Side()
    for _, batches in scrapes:
        for batch in batches:
            before.window.add(batch)
            before.add_critical(critical.among(rm.resource for rm in batch))
            out = candidate.run(batch)
            after.window.add(out)
            after.add_critical(critical.among(rm.resource for rm in out))
    span = before.window.span(interval_nanos)
    in_dpm = before.window.datapoints_per_minute(interval_nanos, over=span)
    out_dpm = after.window.datapoints_per_minute(interval_nanos, over=span)
    return Estimate(
        input_series=before.window.cardinality,
        output_series=after.window.cardinality,
        input_dpm=in_dpm,
        output_dpm=out_dpm,
        critical_in=len(before.critical),
        critical_out=len(kept := before.critical & after.critical),
        input_cost=cost(before.window.cardinality, in_dpm, prices),
        output_cost=cost(after.window.cardinality, out_dpm, prices),
        critical_lost=frozenset(before.critical - kept),
        critical_kept=frozenset(kept),
    )
