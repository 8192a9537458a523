"""The verdict on a candidate: every success criterion, each with a rank test across intervals."""

from __future__ import annotations

from collections.abc import Callable

from domain.analysis.accounting import accounting_check, accounting_figures
from domain.analysis.cost import DEFAULT_PRICES, Prices, cost, per_minute
from domain.analysis.critical import describe_processes
from domain.analysis.measures import Measures
from domain.analysis.ranks import Check, Outcome, rank_test
from domain.analysis.retention import Retention, retention_of
from domain.analysis.windows import (
    CollectorReport,
    Exited,
    Overhead,
    Slice,
    Span,
    VariantWindow,
)
from domain.experiment.commands import IntervalMeasure, VariantMeasures, VariantResult
from domain.experiment.phase import Verdict
from domain.experiment.spec import SuccessCriteria

MIB = 1024 * 1024


def _ratio_reduction(candidate: float, baseline: float) -> float | None:
    return 1 - candidate / baseline if baseline else None


def _paired(baseline: VariantWindow, candidate: VariantWindow) -> list[tuple[Slice, Slice]]:
    """The intervals in which the baseline emitted anything (an empty one compares nothing)."""
    return [
        (b, c)
        for b, c in zip(baseline.intervals, candidate.intervals, strict=False)
        if b.series > 0
    ]


def _reduction_check(
    label: str, overall: float | None, per_interval: list[float], threshold: float, alpha: float
) -> tuple[Check, float | None]:
    if overall is None or not per_interval:
        return Check(Outcome.UNSURE, f"{label}: the baseline emitted nothing to compare"), None
    outcome, p = rank_test(per_interval, threshold, alpha)
    verb = {Outcome.HOLDS: "≥", Outcome.FAILS: "<", Outcome.UNSURE: "not clearly ≥"}[outcome]
    return (
        Check(
            outcome,
            f"{label} {overall:.1%} {verb} {threshold:.0%} "
            f"(Wilcoxon signed-rank over {len(per_interval)} intervals, p={p:.3g})",
        ),
        p,
    )


def critical_check(
    baseline: VariantWindow, candidate: VariantWindow, max_loss: float
) -> tuple[Check, float | None, Retention]:
    found = retention_of(baseline, candidate)
    aside = (
        f"; set aside as too short-lived to compare: {describe_processes(found.set_aside)}"
        if found.set_aside
        else ""
    )
    compared = len(found.kept) + len(found.lost)
    if not compared:
        why = (
            "no critical process lived long enough in the baseline to compare"
            if found.set_aside
            else "no critical process was seen in the baseline"
        )
        return Check(Outcome.UNSURE, f"{why}: retention cannot be measured{aside}"), None, found
    retention = len(found.kept) / compared
    if retention < 1 - max_loss:
        return (
            Check(
                Outcome.FAILS,
                f"critical retention {retention:.1%} < {1 - max_loss:.0%}: "
                f"lost {describe_processes(found.lost)}{aside}",
            ),
            retention,
            found,
        )
    return (
        Check(
            Outcome.HOLDS,
            f"critical retention {retention:.1%} ({len(found.kept)} of {compared} "
            f"critical processes, each by host, pid and name){aside}",
        ),
        retention,
        found,
    )


def overhead_checks(overhead: Overhead | Exited | None, criteria: SuccessCriteria) -> list[Check]:
    if overhead is None:
        return [
            Check(
                Outcome.NOT_MEASURED,
                "collector CPU and memory not measured: no collector process runs under this deployer",
            )
        ]
    if isinstance(overhead, Exited):
        # Not zero, and not a pass: a collector that died cannot be shown to fit the budget.
        return [Check(Outcome.FAILS, f"collector CPU and memory not measured: {overhead.reason}")]
    mib = overhead.resident_bytes / MIB
    cpu_ok = overhead.cpu_cores <= criteria.max_collector_cpu_cores
    memory_ok = mib <= criteria.max_collector_memory_mib
    return [
        Check(
            Outcome.HOLDS if cpu_ok else Outcome.FAILS,
            f"collector CPU {overhead.cpu_cores:.3f} cores {'≤' if cpu_ok else '>'} "
            f"{criteria.max_collector_cpu_cores:g}",
        ),
        Check(
            Outcome.HOLDS if memory_ok else Outcome.FAILS,
            f"collector memory {mib:.0f} MiB {'≤' if memory_ok else '>'} "
            f"{criteria.max_collector_memory_mib:g} MiB",
        ),
    ]


def measures_of(
    variant: str,
    window: VariantWindow,
    span: Span,
    prices: Prices = DEFAULT_PRICES,
    *,
    collectors: CollectorReport | None = None,
) -> VariantMeasures:
    """A variant's own figures: series, datapoints per minute, critical processes, cost, and
    its collectors' own accounting where they report it.
    """
    dpm = per_minute(window.datapoints, span.minutes)
    return VariantMeasures(
        variant=variant,
        measures=Measures(
            series=float(window.series),
            datapoints_per_minute=round(dpm, 1),
            critical_processes=float(len(window.critical)),
            cost_per_month=round(cost(window.series, dpm, prices), 2),
            **accounting_figures(collectors, window.datapoints),
        ),
        intervals=tuple(
            IntervalMeasure(
                index=i,
                series=s.series,
                datapoints_per_minute=round(per_minute(s.datapoints, span.interval_minutes), 1),
                critical_processes=len(s.critical),
            )
            for i, s in enumerate(window.intervals)
        ),
    )


def judge(
    variant: str,
    baseline: VariantWindow,
    candidate: VariantWindow,
    *,
    span: Span,
    criteria: SuccessCriteria,
    overhead: Overhead | Exited | None,
    prices: Prices = DEFAULT_PRICES,
    collectors: CollectorReport | None = None,
) -> VariantResult:
    """Promote only when every criterion holds with support; reject when one clearly fails.
    ``collectors``: what the candidate's collectors reported of themselves, where they did.
    """
    own = measures_of(variant, candidate, span, prices, collectors=collectors)
    base = measures_of("baseline", baseline, span, prices)
    pairs = _paired(baseline, candidate)
    alpha = criteria.significance
    checks: list[Check] = []
    if len(pairs) < criteria.min_intervals:
        checks.append(
            Check(
                Outcome.UNSURE,
                f"only {len(pairs)} intervals with data; the criteria need {criteria.min_intervals}",
            )
        )

    def per_interval(reduction: Callable[[Slice, Slice], float]) -> list[float]:
        return [reduction(b, c) for b, c in pairs]

    def interval_cost(piece: Slice) -> float:
        return cost(piece.series, per_minute(piece.datapoints, span.interval_minutes), prices)

    series_reduction = _ratio_reduction(candidate.series, baseline.series)
    dp_reduction = _ratio_reduction(candidate.datapoints, baseline.datapoints)
    cost_reduction = _ratio_reduction(
        own.measures.cost_per_month or 0.0, base.measures.cost_per_month or 0.0
    )
    series_check, series_p = _reduction_check(
        "series reduction",
        series_reduction,
        per_interval(lambda b, c: 1 - c.series / b.series),
        criteria.min_series_reduction,
        alpha,
    )
    dp_check, dp_p = _reduction_check(
        "datapoint reduction",
        dp_reduction,
        per_interval(lambda b, c: 1 - c.datapoints / b.datapoints if b.datapoints else 0.0),
        criteria.min_datapoint_reduction,
        alpha,
    )
    cost_check, cost_p = _reduction_check(
        "cost reduction",
        cost_reduction,
        per_interval(
            lambda b, c: 1 - interval_cost(c) / before if (before := interval_cost(b)) else 0.0
        ),
        criteria.min_cost_reduction,
        alpha,
    )
    critical, retention, found = critical_check(baseline, candidate, criteria.max_critical_loss)
    checks += [series_check, dp_check, cost_check, critical, *overhead_checks(overhead, criteria)]
    if (accounted := accounting_check(collectors, candidate.datapoints, span)) is not None:
        checks.append(accounted)

    outcomes = {c.outcome for c in checks}
    if Outcome.FAILS in outcomes:
        verdict = Verdict.REJECT
    elif Outcome.UNSURE in outcomes:
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PROMOTE
    cpu = memory = None
    if isinstance(overhead, Overhead):
        cpu, memory = round(overhead.cpu_cores, 4), round(overhead.resident_bytes / MIB, 1)
    measures = Measures(
        series=own.measures.series,
        datapoints_per_minute=own.measures.datapoints_per_minute,
        critical_processes=own.measures.critical_processes,
        cost_per_month=own.measures.cost_per_month,
        series_reduction=_round(series_reduction),
        datapoint_reduction=_round(dp_reduction),
        cost_reduction=_round(cost_reduction),
        critical_retention=_round(retention),
        critical_kept=float(len(found.kept)),
        critical_lost=float(len(found.lost)),
        critical_set_aside=float(len(found.set_aside)),
        series_p_value=_round(series_p, 6),
        datapoint_p_value=_round(dp_p, 6),
        cost_p_value=_round(cost_p, 6),
        collector_cpu_cores=cpu,
        collector_memory_mib=memory,
        **accounting_figures(collectors, candidate.datapoints),
    )
    rank = {Outcome.FAILS: 0, Outcome.UNSURE: 1, Outcome.HOLDS: 2, Outcome.NOT_MEASURED: 3}
    ordered = sorted(checks, key=lambda c: rank[c.outcome])  # the deciding reason first
    return VariantResult(
        variant=variant,
        verdict=verdict,
        reasons=tuple(c.reason for c in ordered),
        measures=measures,
        intervals=own.intervals,
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
