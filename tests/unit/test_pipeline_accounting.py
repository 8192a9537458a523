"""The collectors' own accounting of points in and out, checked against what arrived."""

from __future__ import annotations

from domain.analysis.accounting import accounting_check, accounting_figures
from domain.analysis.ranks import Outcome
from domain.analysis.windows import CollectorReport, Span

TEN_MINUTES = Span(minutes=10, interval_minutes=1)


def report(points_in: int | None, points_out: int | None) -> CollectorReport:
    return CollectorReport(
        cpu_cores=0.01, resident_bytes=50 << 20, points_in=points_in, points_out=points_out
    )


def test_what_arrived_matching_what_was_sent_holds_and_is_reported_in_to_out() -> None:
    check = accounting_check(report(12_000, 3_000), 2_990, TEN_MINUTES)
    assert check is not None and check.outcome is Outcome.HOLDS
    assert check.reason == "pipeline accounting: 12000 points in, 3000 sent, 2990 arrived"
    assert accounting_figures(report(12_000, 3_000), 2_990) == {
        "collector_points_in": 12_000.0,
        "collector_points_out": 3_000.0,
        "points_arrived": 2_990.0,
    }


def test_points_lost_on_the_way_make_the_measurement_unsure() -> None:
    check = accounting_check(report(12_000, 3_000), 2_000, TEN_MINUTES)
    assert check is not None and check.outcome is Outcome.UNSURE
    assert "33% of the points sent did not arrive" in check.reason


def test_points_the_backend_refused_make_the_measurement_unsure() -> None:
    refused = CollectorReport(0.01, 50 << 20, points_in=12_000, points_out=2_400, points_failed=600)
    check = accounting_check(refused, 2_400, TEN_MINUTES)
    assert check is not None and check.outcome is Outcome.UNSURE
    assert check.reason.startswith(
        "pipeline accounting: 12000 points in, 2400 sent, 600 not delivered"
    )
    assert "20% of the points the collectors sent were refused or lost" in check.reason
    assert accounting_figures(refused, 2_400)["collector_points_failed"] == 600.0


def test_a_short_window_allows_for_counters_read_every_two_seconds() -> None:
    ten_seconds = Span(minutes=10 / 60, interval_minutes=1 / 60)
    check = accounting_check(report(None, 1_000), 700, ten_seconds)
    assert check is not None and check.outcome is Outcome.HOLDS


def test_collectors_that_report_no_counters_are_not_checked() -> None:
    assert accounting_check(None, 10, TEN_MINUTES) is None
    assert accounting_check(report(None, None), 10, TEN_MINUTES) is None
    assert accounting_figures(None, 10) == {}
