"""Recommendations from observed data: what a baseline emitted, ranked by what each process
costs, and candidates that cut it, each with its effect predicted by the evaluator on that data.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.analysis.cost import DEFAULT_PRICES, Prices
from domain.telemetry.model import Batch, resource_value
from pipelines import yaml_text
from pipelines.estimate import Estimate, estimate
from pipelines.evaluator import Evaluator
from pipelines.keep_list import KeepLists, cpu_ranking, keep_lists
from pipelines.splice import add_processors, reduction
from pipelines.wiring import collection_interval_seconds, enabled_metrics, interval_text, wire

Scrapes = Sequence[tuple[int, list[Batch]]]
MIB = 1024 * 1024


@dataclass(frozen=True)
class ProcessCost:
    """One command line's share of what the baseline emitted."""

    executable: str
    command_line: str
    series: int
    cpu_seconds: float
    memory_mib: float  # resident, each process's largest, summed


@dataclass(frozen=True)
class Predicted:
    """A candidate's effect against the baseline's output, on the observed data."""

    series_reduction: float
    datapoint_reduction: float
    cost_reduction: float
    critical_retention: float | None  # None: no critical process was observed

    def as_dict(self) -> dict[str, float | None]:
        return {
            "series_reduction": round(self.series_reduction, 4),
            "datapoint_reduction": round(self.datapoint_reduction, 4),
            "cost_reduction": round(self.cost_reduction, 4),
            "critical_retention": None
            if self.critical_retention is None
            else round(self.critical_retention, 4),
        }


@dataclass(frozen=True)
class Candidate:
    name: str  # a suffix for the pipeline it is registered as: prod-topk
    description: str
    config: str
    predicted: Predicted


@dataclass(frozen=True)
class Recommendations:
    ranking: tuple[ProcessCost, ...]  # by series, most first
    keep: KeepLists  # with hysteresis
    keep_without_hysteresis: KeepLists
    candidates: tuple[Candidate, ...]


def _ratio_cut(after: float, before: float) -> float:
    return 1 - after / before if before else 0.0


def predicted(estimates: Sequence[Estimate]) -> Predicted:
    """A candidate's reductions of what the baseline emitted, span by span: their means, and
    the critical processes of all spans.
    """

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    seen = sum(e.critical_in for e in estimates)
    kept = sum(e.critical_out for e in estimates)
    return Predicted(
        series_reduction=mean([e.series_reduction for e in estimates]),
        datapoint_reduction=mean([e.datapoint_reduction for e in estimates]),
        cost_reduction=mean([e.cost_reduction for e in estimates]),
        critical_retention=kept / seen if seen else None,
    )


def process_evaluator(text: str) -> Evaluator:
    """The evaluator for a config's process pipeline, as Phoenix would run it in an experiment."""
    return Evaluator(yaml_text.load(wire(text, {"experiment_id": "-", "variant": "-"})))


def ranking(observed: Scrapes) -> tuple[ProcessCost, ...]:
    """Command lines by the distinct series they emitted, then by CPU; with the resident
    memory of their processes (each process's largest, summed).
    """
    series: dict[tuple[str, str], set[tuple[object, ...]]] = defaultdict(set)
    resident: dict[tuple[str, str], dict[object, float]] = defaultdict(dict)
    for _, batches in observed:
        for batch in batches:
            for rm in batch:
                line = resource_value(rm.resource, "process.command_line")
                name = resource_value(rm.resource, "process.executable.name")
                key = (str(name or ""), str(line or name or ""))
                for metric in rm.metrics:
                    for point in metric.points:
                        series[key].add((rm.resource, metric.name, point.attributes))
                    if metric.name == "process.memory.usage":
                        used = sum(p.value for p in metric.points)
                        peak = resident[key].get(rm.resource, 0.0)
                        resident[key][rm.resource] = max(peak, used)
    cpu = dict(cpu_ranking(b for _, batches in observed for b in batches))
    costs = [
        ProcessCost(
            name,
            line,
            len(found),
            round(cpu.get(line, 0.0), 3),
            round(sum(resident[(name, line)].values()) / MIB, 1),
        )
        for (name, line), found in series.items()
    ]
    return tuple(sorted(costs, key=lambda c: (-c.series, -c.cpu_seconds, c.command_line)))


def drop_metrics(names: Sequence[str]) -> dict[str, Any]:
    """A filter that drops the named metrics, as a config of just it."""
    return {
        "processors": {
            "filter/optional-metrics": {
                "error_mode": "ignore",
                "metrics": {"metric": [f"name == {json.dumps(name)}" for name in names]},
            }
        },
        "service": {"pipelines": {"metrics": {"processors": ["filter/optional-metrics"]}}},
    }


def observe(baseline: str, scrapes: Scrapes) -> list[tuple[int, list[Batch]]]:
    """What ``baseline`` (a user's config) emits for ``scrapes`` of the hosts it runs on."""
    base = process_evaluator(baseline)
    return [(t, [base.run(b) for b in batches]) for t, batches in scrapes]


def recommend(
    baseline: str,
    observed: Scrapes,
    *,
    interval_nanos: int,
    critical_processes: Sequence[str],
    top_k: int = 10,
    retain: int = 3,
    window_scrapes: int = 6,
    predict_for: int | None = None,
    prices: Prices = DEFAULT_PRICES,
) -> Recommendations:
    """Candidates for ``baseline`` (a user's config) from ``observed``: what it emitted, in
    scrapes (time in ns, batches) ``interval_nanos`` apart.

    The keep-list is chosen window by window (``window_scrapes`` scrapes each). A candidate is
    ``baseline`` with a reduction spliced in; its effect is predicted by running the reduction
    over what the baseline emitted, for an experiment observing ``predict_for`` seconds (None:
    all of ``observed`` at once): distinct series grow with the span observed (processes come
    and go), so a reduction is only comparable to one measured over as long a window. The
    prediction is the mean over the consecutive spans that long in ``observed``.
    """
    windows = [
        [b for _, batches in observed[i : i + window_scrapes] for b in batches]
        for i in range(0, len(observed), window_scrapes)
    ]
    rankings = [[line for line, _ in cpu_ranking(window)] for window in windows]
    kept = keep_lists(rankings, top_k, retain=retain)
    unsteady = keep_lists(rankings, top_k, retain=0)
    variables = {
        "critical_processes": list(critical_processes),
        "collection_interval": interval_text(collection_interval_seconds(baseline)),
    }

    reductions: list[tuple[str, str, dict[str, Any]]] = [
        (
            "topk",
            f"critical processes and the top {top_k} command lines by CPU (each kept {retain} "
            "windows after it drops out) in full; the rest of each host summed as one 'other'",
            reduction("process-topk-v1", {**variables, "keep_command_lines": sorted(kept.final)}),
        ),
        (
            "by-executable",
            "critical processes in full; the rest summed by executable name",
            reduction("process-aggregated-v1", variables),
        ),
    ]
    emitted = {m.name for _, batches in observed for b in batches for rm in b for m in rm.metrics}
    optional = [name for name in enabled_metrics(baseline) if name in emitted]
    if optional:
        reductions.append(
            (
                "fewer-metrics",
                f"every process as before, without the optional metrics the baseline turns on "
                f"({', '.join(optional)})",
                drop_metrics(optional),
            )
        )
    span = len(observed)
    if predict_for is not None:
        span = max(1, min(span, predict_for * 1_000_000_000 // interval_nanos))
    spans = [observed[i : i + span] for i in range(0, len(observed) - span + 1, span)]

    def judged(reducing: dict[str, Any]) -> Predicted:
        return predicted(
            [
                estimate(
                    piece,
                    Evaluator(reducing),
                    critical_processes=critical_processes,
                    interval_nanos=interval_nanos,
                    prices=prices,
                )
                for piece in spans
            ]
        )

    return Recommendations(
        ranking=ranking(observed),
        keep=kept,
        keep_without_hysteresis=unsteady,
        candidates=tuple(
            Candidate(name, about, add_processors(baseline, reducing), judged(reducing))
            for name, about, reducing in reductions
        ),
    )
