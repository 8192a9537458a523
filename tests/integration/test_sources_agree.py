"""The same experiment measured by Phoenix's own sink and through a real Prometheus gives the same
series and datapoints per variant, whole and per interval, the same critical processes, and the
same verdicts, on the realistic and the high-churn profiles.
"""

from __future__ import annotations

import pytest

from adapters.embedded.prometheus_server import EmbeddedPrometheus
from domain.analysis.verdict import judge
from domain.analysis.windows import Span
from domain.experiment.spec import SuccessCriteria
from tests.measured_twice import TEMPLATES, measure_twice


@pytest.mark.parametrize("profile", ["realistic", "high-churn"])
async def test_both_sources_count_the_same_series_datapoints_and_critical_processes(
    prometheus: EmbeddedPrometheus, profile: str
) -> None:
    twice = await measure_twice(prometheus, profile=profile, hosts=4, minutes=5)
    try:
        windows = {name: await twice.windows(name) for name in TEMPLATES}
        for name, (local, through_prometheus) in windows.items():
            assert local.datapoints > 0, name
            assert (through_prometheus.series, through_prometheus.datapoints) == (
                local.series,
                local.datapoints,
            ), name
            assert [(s.series, s.datapoints) for s in through_prometheus.intervals] == [
                (s.series, s.datapoints) for s in local.intervals
            ], name
            assert through_prometheus.critical == local.critical, name
            assert [s.critical for s in through_prometheus.intervals] == [
                s.critical for s in local.intervals
            ], name
        assert sum(local.datapoints for local, _ in windows.values()) == twice.points_sent

        span = Span(minutes=5, interval_minutes=5 / twice.intervals)
        criteria = SuccessCriteria()
        for name in TEMPLATES:
            if name == "baseline":
                continue
            verdicts = [
                judge(
                    name,
                    windows["baseline"][source],
                    windows[name][source],
                    span=span,
                    criteria=criteria,
                    overhead=None,
                )
                for source in (0, 1)
            ]
            assert verdicts[0] == verdicts[1], name
    finally:
        await twice.prometheus.close()
