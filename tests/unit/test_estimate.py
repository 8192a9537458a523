"""The estimator: both sides measured over the same span, retention only where it can be measured."""

from __future__ import annotations

from pipelines.estimate import estimate
from pipelines.evaluator import Evaluator
from pipelines.render import render_config
from simulator.fleet import Fleet


def test_datapoint_rates_of_both_sides_are_taken_over_the_same_span() -> None:
    # Drops every point but those of one instant: the output must not look as dense as the input.
    only_first = {
        "processors": {
            "filter/x": {
                "metrics": {"datapoint": ["datapoint.time_unix_nano > 1798761630000000000"]}
            }
        },
        "service": {
            "pipelines": {
                "metrics": {
                    "receivers": ["otlp"],
                    "processors": ["filter/x"],
                    "exporters": ["debug"],
                }
            }
        },
    }
    fleet = Fleet("realistic", 1, seed=1)
    result = estimate(
        fleet.run(duration_s=60, interval_s=10),
        Evaluator(only_first),
        critical_processes=["^postgres$"],
        interval_nanos=10_000_000_000,
    )
    assert result.datapoint_reduction > 0.5


def test_critical_retention_is_not_measurable_when_no_critical_process_is_seen() -> None:
    fleet = Fleet("realistic", 1, seed=1)
    result = estimate(
        fleet.run(duration_s=20, interval_s=10),
        Evaluator(render_config("process-baseline-v1")),
        critical_processes=["^no-such-process$"],
        interval_nanos=10_000_000_000,
    )
    assert result.critical_retention is None
