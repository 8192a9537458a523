"""The verdict: every criterion with a rank test across intervals, reasons that say why."""

from __future__ import annotations

from domain.analysis.ranks import Outcome, rank_test
from domain.analysis.retention import disappeared
from domain.analysis.verdict import judge
from domain.analysis.windows import Overhead, Slice, Span, VariantWindow
from domain.experiment.commands import VariantResult
from domain.experiment.phase import Verdict
from domain.experiment.spec import SuccessCriteria
from domain.telemetry.model import Attributes, attributes

REDIS = attributes(
    [("host.name", "h1"), ("process.pid", 7), ("process.executable.name", "redis-server")]
)
POSTGRES = attributes(
    [("host.name", "h1"), ("process.pid", 9), ("process.executable.name", "postgres")]
)
SPAN = Span(minutes=1.0, interval_minutes=0.1)


def window(
    series: list[int], critical: frozenset[Attributes] = frozenset({REDIS, POSTGRES})
) -> VariantWindow:
    slices = tuple(Slice(series=s, datapoints=s * 2, critical=critical) for s in series)
    return VariantWindow(
        series=max(series), datapoints=sum(series) * 2, critical=critical, intervals=slices
    )


def judged(
    baseline: list[int],
    candidate: list[int],
    *,
    critical: frozenset[Attributes] = frozenset({REDIS, POSTGRES}),
    overhead: Overhead | None = None,
) -> VariantResult:
    """A candidate judged on the default criteria against a baseline, interval by interval."""
    return judge(
        "candidate",
        window(baseline),
        window(candidate, critical),
        span=SPAN,
        criteria=SuccessCriteria(),
        overhead=overhead,
    )


def test_values_all_above_the_threshold_hold_and_all_below_fail() -> None:
    assert rank_test([0.7, 0.72, 0.69, 0.71, 0.7], 0.5, 0.05)[0] is Outcome.HOLDS
    assert rank_test([0.3, 0.32, 0.29, 0.31, 0.3], 0.5, 0.05)[0] is Outcome.FAILS


def test_values_straddling_the_threshold_are_unsure() -> None:
    outcome, p = rank_test([0.6, 0.4, 0.55, 0.45, 0.52, 0.48], 0.5, 0.05)
    assert outcome is Outcome.UNSURE and p > 0.05


def test_a_clear_reduction_with_every_critical_process_is_promoted_with_its_p_value() -> None:
    result = judged([1000] * 9, [300] * 9)
    assert result.verdict is Verdict.PROMOTE, result.reasons
    assert result.measures.series_reduction == 0.7
    assert any("p=0.00195" in r and "9 intervals" in r for r in result.reasons)
    assert any("not measured" in r for r in result.reasons)


def test_losing_a_critical_process_rejects_and_names_it() -> None:
    result = judged([1000] * 9, [50] * 9, critical=frozenset({POSTGRES}))
    assert result.verdict is Verdict.REJECT
    assert result.reasons[0].startswith("critical retention 50.0% < 100%: lost redis-server x1")


def test_too_few_intervals_is_inconclusive_however_good_the_figures() -> None:
    result = judged([1000] * 3, [300] * 3)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.reasons[0] == "only 3 intervals with data; the criteria need 5"


def test_a_collector_over_its_cpu_budget_is_rejected() -> None:
    result = judged(
        [1000] * 9, [300] * 9, overhead=Overhead(cpu_cores=0.2, resident_bytes=50 * 2**20)
    )
    assert result.verdict is Verdict.REJECT
    assert result.reasons[0] == "collector CPU 0.200 cores > 0.05"


def test_the_guardrail_sees_a_process_the_candidate_reported_and_then_lost() -> None:
    both = frozenset({REDIS, POSTGRES})
    baseline = [Slice(10, 10, both)] * 5
    candidate = [Slice(5, 5, both)] * 3 + [Slice(5, 5, frozenset({POSTGRES}))] * 2
    assert disappeared(baseline, candidate) == {REDIS}


def test_the_guardrail_ignores_a_process_that_ended_on_the_host_or_was_never_kept() -> None:
    both = frozenset({REDIS, POSTGRES})
    only_postgres = frozenset({POSTGRES})
    ended = [Slice(10, 10, both)] * 3 + [Slice(10, 10, only_postgres)] * 2
    lost = [Slice(5, 5, both)] * 3 + [Slice(5, 5, only_postgres)] * 2
    assert disappeared(ended, lost) == set()
    never = [Slice(5, 5, only_postgres)] * 5
    assert disappeared([Slice(10, 10, both)] * 5, never) == set()


def test_a_rank_test_over_tied_intervals_is_quick_and_gives_the_same_p_every_time() -> None:
    # Tied magnitudes made SciPy draw an unseeded permutation test: slow, and never the same p.
    values = [0.7, 0.7, 0.8, 0.8, 0.7, 0.9, 0.9, 0.7, 0.8, 0.7, 0.8, 0.9]
    first = rank_test(values, 0.5, 0.05)
    assert first[0] is Outcome.HOLDS
    assert all(rank_test(values, 0.5, 0.05) == first for _ in range(5))
