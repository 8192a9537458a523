"""The pipeline's own accounting: the points its collectors took in and sent on, checked against
the points that arrived where the variant is measured.
"""

from __future__ import annotations

from domain.analysis.ranks import Check, Outcome
from domain.analysis.windows import CollectorReport, Span

# Collectors report their counters every TELEMETRY_SECONDS, so each end of the window may be off
# by that much traffic; beyond it, a shortfall of more than SLACK is points lost on the way.
TELEMETRY_SECONDS = 2.0
SLACK = 0.05


def accounting_figures(report: CollectorReport | None, arrived: int) -> dict[str, float]:
    """The figures for the results: points in, out, and arrived (only what was reported)."""
    if report is None or report.points_out is None:
        return {}
    figures = {"collector_points_out": float(report.points_out), "points_arrived": float(arrived)}
    if report.points_in is not None:
        figures["collector_points_in"] = float(report.points_in)
    if report.points_failed is not None:
        figures["collector_points_failed"] = float(report.points_failed)
    return figures


def accounting_check(report: CollectorReport | None, arrived: int, span: Span) -> Check | None:
    """HOLDS when what arrived is what the collectors say they sent (within the reporting
    granularity); UNSURE when points went missing on the way, since what is measured is then
    not all the variant sent. None when the collectors do not report their counters.
    """
    if report is None or report.points_out is None:
        return None
    sent, failed = report.points_out, report.points_failed or 0
    seen = f"{report.points_in} points in, " if report.points_in is not None else ""
    lost = f", {failed} not delivered" if failed else ""
    told = f"pipeline accounting: {seen}{sent} sent{lost}, {arrived} arrived"
    if failed > SLACK * (sent + failed):
        return Check(
            Outcome.UNSURE,
            f"{told}: {failed / (sent + failed):.0%} of the points the collectors sent were "
            "refused or lost, so the measurement is not all the variant sent",
        )
    if sent <= 0:
        return Check(Outcome.HOLDS if arrived == 0 else Outcome.NOT_MEASURED, told)
    allowed = SLACK + 2 * TELEMETRY_SECONDS / max(span.minutes * 60, TELEMETRY_SECONDS)
    if arrived < sent * (1 - allowed):
        return Check(
            Outcome.UNSURE,
            f"{told}: {1 - arrived / sent:.0%} of the points sent did not arrive, so the "
            "measurement is not all the variant sent",
        )
    return Check(Outcome.HOLDS, told)
