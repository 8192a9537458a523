"""Critical retention compares like with like: a process too short-lived for every collector to be
sure to see is set aside and named, never counted as lost; a long-lived one lost still rejects.
"""

from __future__ import annotations

from domain.analysis.critical import critical_processes
from domain.analysis.retention import COMPARABLE_INTERVALS, disappeared, retention_of
from domain.analysis.verdict import judge
from domain.analysis.windows import Slice, Span, VariantWindow
from domain.experiment.phase import Verdict
from domain.experiment.spec import SuccessCriteria
from domain.telemetry.model import Attributes, attributes

SPAN = Span(minutes=1.0, interval_minutes=1 / 9)


def postgres(pid: int) -> Attributes:
    return attributes(
        [("host.name", "db1"), ("process.pid", pid), ("process.executable.name", "postgres")]
    )


POSTMASTER = postgres(100)
BACKEND = postgres(4242)  # a connection backend, alive for a moment


def window(pieces: list[frozenset[Attributes]], series: int) -> VariantWindow:
    return VariantWindow(
        series=series,
        datapoints=series * 2 * len(pieces),
        critical=frozenset().union(*pieces),
        intervals=tuple(Slice(series, series * 2, p) for p in pieces),
    )


def test_a_backend_the_baseline_caught_once_is_set_aside_not_lost() -> None:
    baseline = window(
        [frozenset({POSTMASTER})] * 4
        + [frozenset({POSTMASTER, BACKEND})]
        + [frozenset({POSTMASTER})] * 4,
        1000,
    )
    # The candidate scrapes at another moment: the backend had come and gone by then.
    candidate = window([frozenset({POSTMASTER})] * 9, 300)
    found = retention_of(baseline, candidate)
    assert (found.kept, found.lost, found.set_aside) == (
        frozenset({POSTMASTER}),
        frozenset(),
        frozenset({BACKEND}),
    )
    result = judge(
        "keeps", baseline, candidate, span=SPAN, criteria=SuccessCriteria(), overhead=None
    )
    assert result.verdict is Verdict.PROMOTE, result.reasons
    assert result.measures.critical_set_aside == 1
    assert any("set aside as too short-lived to compare: postgres x1" in r for r in result.reasons)


def test_a_candidate_that_drops_the_long_lived_postgres_is_rejected_with_it_named() -> None:
    baseline = window([frozenset({POSTMASTER})] * 8 + [frozenset({POSTMASTER, BACKEND})], 1000)
    candidate = window([frozenset()] * 9, 100)
    result = judge(
        "drops", baseline, candidate, span=SPAN, criteria=SuccessCriteria(), overhead=None
    )
    assert result.verdict is Verdict.REJECT
    assert any("lost postgres x1 (e.g. pid 100 on db1)" in r for r in result.reasons)
    assert result.measures.critical_lost == 1 and result.measures.critical_kept == 0


def test_a_process_is_compared_once_the_baseline_saw_it_in_enough_intervals() -> None:
    seen = [frozenset({BACKEND})] * COMPARABLE_INTERVALS + [frozenset()] * 3
    shorter = [frozenset({BACKEND})] * (COMPARABLE_INTERVALS - 1) + [frozenset()] * 4
    nothing = window([frozenset()] * 6, 10)
    assert retention_of(window(seen, 10), nothing).lost == {BACKEND}
    assert retention_of(window(shorter, 10), nothing).set_aside == {BACKEND}


def test_the_guardrail_does_not_trip_on_a_process_the_baseline_only_just_saw() -> None:
    # The candidate caught the backend once; the baseline caught it in the last two intervals
    # only (never before): it is too short-lived to tell a loss from a different scrape moment.
    baseline = [Slice(10, 10, frozenset())] * 3 + [Slice(10, 10, frozenset({BACKEND}))] * 2
    candidate = (
        [Slice(5, 5, frozenset())] * 2
        + [Slice(5, 5, frozenset({BACKEND}))]
        + [Slice(5, 5, frozenset())] * 2
    )
    assert disappeared(baseline, candidate) == set()


def test_a_backend_whose_command_line_changed_between_two_collectors_scrapes_is_kept() -> None:
    # PostgreSQL rewrites a backend's command line for every statement: the baseline's collector
    # read it idle, the candidate's a moment later running a SELECT. One process, both kept it.
    def backend(doing: str) -> Attributes:
        return attributes(
            [*BACKEND, ("process.command_line", f"postgres: app orders 10.0.0.7(51544) {doing}")]
        )

    matcher = critical_processes(("^postgres$",))
    baseline = window([frozenset(matcher.among([backend("idle")]))] * 4, series=10)
    candidate = window([frozenset(matcher.among([backend("SELECT")]))] * 4, series=10)

    found = retention_of(baseline, candidate)
    assert found.kept == {BACKEND} and not found.lost
    assert not disappeared(list(baseline.intervals), list(candidate.intervals))


def test_the_guardrail_trips_on_a_process_the_candidate_stopped_reporting_while_reporting_others() -> (
    None
):
    baseline = [Slice(10, 10, frozenset({POSTMASTER}))] * 5
    candidate = [Slice(5, 5, frozenset({POSTMASTER}))] * 3 + [Slice(4, 4, frozenset())] * 2
    assert disappeared(baseline, candidate) == {POSTMASTER}


def test_a_process_a_pipeline_added_a_host_id_or_a_node_name_to_is_the_same_process() -> None:
    matcher = critical_processes(("^postgres$",))
    added = attributes([*POSTMASTER, ("host.id", "i-0abc"), ("k8s.node.name", "node-1")])
    assert matcher.among([added]) == matcher.among([POSTMASTER]) == {POSTMASTER}
