"""The verdict on a candidate: every success criterion, with a rank test across intervals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.experiment.commands import IntervalMeasure, VariantMeasures, VariantResult
from domain.experiment.phase import Verdict
from domain.experiment.spec import SuccessCriteria
from domain.telemetry.model import Attributes, resource_value
from handlers.ports import Overhead, Slice, VariantWindow
from pipelines.estimate import Prices, cost

MIB = 1024 * 1024
DEFAULT_PRICES = Prices()


class Outcome(StrEnum):
    HOLDS = "holds"
    FAILS = "fails"
    UNSURE = "unsure"
    NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Check:
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class Window:
    """The observation window's length and how it is cut, in minutes."""

    minutes: float
    interval_minutes: float


def _ratio_reduction(candidate: float, baseline: float) -> float | None:
    return 1 - candidate / baseline if baseline else None


def _dpm(datapoints: int, minutes: float) -> float:
    return datapoints / minutes if minutes else 0.0


def _paired(baseline: VariantWindow, candidate: VariantWindow) -> list[tuple[Slice, Slice]]:
    """The intervals in which the baseline emitted anything (an empty one compares nothing)."""
    return [
        (b, c)
        for b, c in zip(baseline.intervals, candidate.intervals, strict=False)
        if b.series > 0
    ]


def doubled_midranks(values: Sequence[float]) -> list[int]:
    """Twice each value's rank, ties sharing the mean of their ranks (so every one is whole)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    doubled = [0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            doubled[order[position]] = start + end + 2  # 2 x the mean of ranks start+1..end+1
        start = end + 1
    return doubled


def signed_rank_p(differences: Sequence[float]) -> tuple[float, float]:
    """One-sided p-values (greater, less) of the Wilcoxon signed-rank test, from the exact null
    distribution given the ties: every sign assignment of the midranks, counted by dynamic
    programming. Deterministic and fast for any number of intervals; where SciPy is exact (no
    ties, or up to 13 values) it gives the same figures, where it is not it draws an unseeded
    permutation test for seconds and answers differently each run.
    """
    nonzero = [d for d in differences if d != 0]
    doubled = doubled_midranks([abs(d) for d in nonzero])
    observed = sum(r for r, d in zip(doubled, nonzero, strict=True) if d > 0)
    ways = [1] + [0] * sum(doubled)  # ways[w]: sign assignments whose positive ranks sum to w
    for rank in doubled:
        for total in range(len(ways) - 1, rank - 1, -1):
            ways[total] += ways[total - rank]
    assignments = 2 ** len(doubled)
    return (
        sum(ways[observed:]) / assignments,
        sum(ways[: observed + 1]) / assignments,
    )


def rank_test(values: Sequence[float], threshold: float, alpha: float) -> tuple[Outcome, float]:
    """Is the typical value at or above ``threshold``? One-sided Wilcoxon signed-rank tests.

    Holds when every interval clears the threshold or the test says it does at ``alpha``;
    fails when none does or the test says it falls short; otherwise unsure.
    """
    differences = [v - threshold for v in values]
    nonzero = [d for d in differences if d != 0]
    if not nonzero:
        return Outcome.HOLDS, 0.0
    above, below = signed_rank_p(nonzero)
    if min(differences) >= 0 or above < alpha:
        return Outcome.HOLDS, above
    if max(differences) < 0 or below < alpha:
        return Outcome.FAILS, below
    return Outcome.UNSURE, min(above, below)


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


def describe_processes(lost: set[Attributes]) -> str:
    names = Counter(str(resource_value(r, "process.executable.name")) for r in lost)
    listed = ", ".join(f"{name} x{count}" for name, count in sorted(names.items()))
    example = min(lost)
    host = resource_value(example, "host.name")
    pid = resource_value(example, "process.pid")
    where = f" (e.g. pid {pid} on {host})" if host is not None and pid is not None else ""
    return f"{listed}{where}"


# A critical process is compared only if the baseline saw it in at least this many intervals:
# it then lived through a whole interval (a collection interval or more) with a scrape of the
# baseline at each end, so every candidate scraping as often, at whatever phase, had a scrape
# while it lived. See ADR 0006 for the rule and the rates it was measured at.
COMPARABLE_INTERVALS = 3


@dataclass(frozen=True)
class Retention:
    """Critical processes the baseline saw: kept and lost by a candidate, or set aside."""

    kept: frozenset[Attributes]
    lost: frozenset[Attributes]
    set_aside: frozenset[Attributes]


def retention_of(
    baseline: VariantWindow, candidate: VariantWindow, *, at_least: int = COMPARABLE_INTERVALS
) -> Retention:
    """Which of the baseline's critical processes the candidate kept or lost, setting aside
    those too short-lived for a collector on its own clock to have been sure to see.
    """
    if baseline.intervals:
        seen = Counter(r for piece in baseline.intervals for r in piece.critical)
        compared = {r for r, n in seen.items() if n >= at_least}
    else:  # no intervals to tell lifetimes by: compare everything
        compared = set(baseline.critical)
    return Retention(
        kept=frozenset(compared & candidate.critical),
        lost=frozenset(compared - candidate.critical),
        set_aside=frozenset(baseline.critical - compared),
    )


def critical_check(
    baseline: VariantWindow, candidate: VariantWindow, max_loss: float
) -> tuple[Check, float | None, Retention]:
    found = retention_of(baseline, candidate)
    aside = (
        f"; set aside as too short-lived to compare: {describe_processes(set(found.set_aside))}"
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
                f"lost {describe_processes(set(found.lost))}{aside}",
            ),
            retention,
            found,
        )
    return (
        Check(
            Outcome.HOLDS,
            f"critical retention {retention:.1%} ({len(found.kept)} of {compared} "
            f"critical processes with full identity){aside}",
        ),
        retention,
        found,
    )


def overhead_checks(overhead: Overhead | None, criteria: SuccessCriteria) -> list[Check]:
    if overhead is None:
        return [
            Check(
                Outcome.NOT_MEASURED,
                "collector CPU and memory not measured: no collector process runs under this deployer",
            )
        ]
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
    variant: str, window: VariantWindow, span: Window, prices: Prices
) -> VariantMeasures:
    """A variant's own figures: series, datapoints per minute, critical processes, cost."""
    dpm = _dpm(window.datapoints, span.minutes)
    return VariantMeasures(
        variant=variant,
        measures={
            "series": float(window.series),
            "datapoints_per_minute": round(dpm, 1),
            "critical_processes": float(len(window.critical)),
            "cost_per_month": round(cost(window.series, dpm, prices), 2),
        },
        intervals=tuple(
            IntervalMeasure(
                index=i,
                series=s.series,
                datapoints_per_minute=round(_dpm(s.datapoints, span.interval_minutes), 1),
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
    span: Window,
    criteria: SuccessCriteria,
    overhead: Overhead | None,
    prices: Prices = DEFAULT_PRICES,
) -> VariantResult:
    """Promote only when every criterion holds with support; reject when one clearly fails."""
    own = measures_of(variant, candidate, span, prices)
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

    def per_interval(pick: str) -> list[float]:
        out = []
        for b, c in pairs:
            if pick == "series":
                out.append(1 - c.series / b.series)
            elif pick == "datapoints":
                out.append(1 - c.datapoints / b.datapoints if b.datapoints else 0.0)
            else:
                minutes = span.interval_minutes
                before = cost(b.series, _dpm(b.datapoints, minutes), prices)
                after = cost(c.series, _dpm(c.datapoints, minutes), prices)
                out.append(1 - after / before if before else 0.0)
        return out

    series_reduction = _ratio_reduction(candidate.series, baseline.series)
    dp_reduction = _ratio_reduction(candidate.datapoints, baseline.datapoints)
    cost_reduction = _ratio_reduction(
        own.measures["cost_per_month"] or 0.0, base.measures["cost_per_month"] or 0.0
    )
    series_check, series_p = _reduction_check(
        "series reduction",
        series_reduction,
        per_interval("series"),
        criteria.min_series_reduction,
        alpha,
    )
    dp_check, dp_p = _reduction_check(
        "datapoint reduction",
        dp_reduction,
        per_interval("datapoints"),
        criteria.min_datapoint_reduction,
        alpha,
    )
    cost_check, cost_p = _reduction_check(
        "cost reduction", cost_reduction, per_interval("cost"), criteria.min_cost_reduction, alpha
    )
    critical, retention, found = critical_check(baseline, candidate, criteria.max_critical_loss)
    checks += [series_check, dp_check, cost_check, critical, *overhead_checks(overhead, criteria)]

    outcomes = {c.outcome for c in checks}
    if Outcome.FAILS in outcomes:
        verdict = Verdict.REJECT
    elif Outcome.UNSURE in outcomes:
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PROMOTE
    measures: dict[str, float | None] = {
        **own.measures,
        "series_reduction": _round(series_reduction),
        "datapoint_reduction": _round(dp_reduction),
        "cost_reduction": _round(cost_reduction),
        "critical_retention": _round(retention),
        "critical_kept": float(len(found.kept)),
        "critical_lost": float(len(found.lost)),
        "critical_set_aside": float(len(found.set_aside)),
        "series_p_value": _round(series_p, 6),
        "datapoint_p_value": _round(dp_p, 6),
        "cost_p_value": _round(cost_p, 6),
    }
    if overhead is not None:
        measures["collector_cpu_cores"] = round(overhead.cpu_cores, 4)
        measures["collector_memory_mib"] = round(overhead.resident_bytes / MIB, 1)
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
