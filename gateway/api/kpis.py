"""Phoenix's KPIs for /metrics, read from the read model when Prometheus scrapes."""

from __future__ import annotations

from typing import Any

from adapters.metrics import Metrics
from domain.experiment.decide import GUARDRAIL_FAILURE
from domain.experiment.phase import Phase, Verdict
from projections.read_model import ReadModel

# The newest experiments whose figures are exposed: every scrape reads their results (two
# queries each), so a dashboard of recent experiments costs the database little.
KPI_EXPERIMENTS = 25
MIB = 1024 * 1024
UNFINISHED = tuple(p for p in Phase if not p.terminal)


async def refresh_kpis(read: ReadModel, m: Metrics, *, newest: int = KPI_EXPERIMENTS) -> None:
    # Each phase listed once: its count, and the rows the rules' gauges need (unfinished, failed).
    in_phase: dict[Phase, list[dict[str, Any]]] = {}
    for phase in Phase:
        listed = phase in UNFINISHED or phase is Phase.FAILED
        rows, total = await read.list_experiments(
            phase=phase.value, limit=newest if listed else 1, offset=0
        )
        m.experiments.labels(phase.value).set(total)
        in_phase[phase] = rows
    rows, _ = await read.list_experiments(phase=None, limit=newest, offset=0)
    per_variant = (
        m.series_reduction,
        m.critical_retained,
        m.monthly_cost,
        m.ingested_per_minute,
        m.series,
        m.collector_cpu,
        m.collector_memory,
    )
    for gauge in per_variant:
        gauge.clear()
    verdicts = dict.fromkeys(Verdict, 0)
    for row in rows:
        results = await read.experiment_results(row["experiment_id"])
        if results is None or not results["available"]:
            continue
        experiment = str(row["experiment_id"])
        for variant in results["variants"]:
            _expose(m, experiment, variant)
            if variant["verdict"] is not None:
                verdicts[Verdict(variant["verdict"])] += 1
    for verdict, count in verdicts.items():
        m.verdicts.labels(verdict.value).set(count)
    await _unfinished(read, m, [row for p in UNFINISHED for row in in_phase[p]])
    await _guardrails(read, m, in_phase[Phase.FAILED])


async def _unfinished(read: ReadModel, m: Metrics, rows: list[dict[str, Any]]) -> None:
    """Since when each unfinished experiment is in its phase, its window's end and budgets."""
    for gauge in (m.phase_entered, m.window_ends, m.cpu_budget, m.memory_budget):
        gauge.clear()
    for row in rows:
        found = await read.get_experiment(row["experiment_id"])
        if found is None or not found["phase_history"]:
            continue
        experiment = str(row["experiment_id"])
        entered = found["phase_history"][-1]["at"]
        m.phase_entered.labels(experiment, found["phase"]).set(entered.timestamp())
        if found["phase"] == Phase.RUNNING.value:
            if found["window_ends_at"] is not None:
                m.window_ends.labels(experiment).set(found["window_ends_at"].timestamp())
            criteria = (found["spec"] or {}).get("success_criteria") or {}
            if "max_collector_cpu_cores" in criteria:
                m.cpu_budget.labels(experiment).set(criteria["max_collector_cpu_cores"])
            if "max_collector_memory_mib" in criteria:
                m.memory_budget.labels(experiment).set(criteria["max_collector_memory_mib"] * MIB)


async def _guardrails(read: ReadModel, m: Metrics, rows: list[dict[str, Any]]) -> None:
    tripped = 0
    for row in rows:
        found = await read.get_experiment(row["experiment_id"])
        if found is not None and str(found.get("reason") or "").startswith(GUARDRAIL_FAILURE):
            tripped += 1
    m.guardrail_trips.set(tripped)


def _expose(m: Metrics, experiment: str, variant: dict[str, Any]) -> None:
    figures: dict[str, float] = variant.get("measures") or {}
    labels = (experiment, variant["variant"])
    chosen = {
        m.series_reduction: figures.get("series_reduction"),
        m.critical_retained: figures.get("critical_retention"),
        m.monthly_cost: figures.get("cost_per_month"),
        m.ingested_per_minute: figures.get("datapoints_per_minute"),
        m.series: figures.get("series"),
        m.collector_cpu: figures.get("collector_cpu_cores"),
        m.collector_memory: (
            figures["collector_memory_mib"] * MIB if "collector_memory_mib" in figures else None
        ),
    }
    for gauge, value in chosen.items():
        if value is not None:  # a figure not measured is absent, never zero
            gauge.labels(*labels).set(value)
