"""The evaluated processors behave as the collector's do."""

from __future__ import annotations

from typing import Any

import pytest

from domain.telemetry import model as otel
from pipelines.evaluator import Evaluator, EvaluatorError


def pipeline(processors: dict[str, Any]) -> Evaluator:
    return Evaluator(
        {
            "processors": processors,
            "service": {
                "pipelines": {
                    "metrics": {
                        "receivers": ["otlp"],
                        "processors": list(processors),
                        "exporters": ["debug"],
                    }
                }
            },
        },
        started_at=50,
    )


def process(
    name: str, pid: int, cpu: float = 1.0, at: int = 100, start: int = 10
) -> otel.ResourceMetrics:
    points = [otel.DataPoint((("state", s),), cpu, start, at) for s in ("user", "system")]
    cpu_time = otel.Metric(
        "process.cpu.time",
        otel.MetricType.SUM,
        "s",
        monotonic=True,
        temporality=otel.Temporality.CUMULATIVE,
        points=points,
    )
    memory = otel.Metric(
        "process.memory.usage",
        otel.MetricType.SUM,
        "By",
        temporality=otel.Temporality.CUMULATIVE,
        points=[otel.DataPoint((), 100.0, start, at, True)],
    )
    return otel.ResourceMetrics(
        (("host.name", "h"), ("process.executable.name", name), ("process.pid", pid)),
        [cpu_time, memory],
    )


def batch() -> otel.Batch:
    return [process("postgres", 1), process("bash", 2), process("bash", 3)]


def test_the_filter_processor_drops_what_matches_and_what_is_left_empty() -> None:
    out = pipeline(
        {
            "filter/x": {
                "metrics": {
                    "datapoint": ['resource.attributes["process.executable.name"] == "bash"']
                }
            }
        }
    ).run(batch())
    assert [dict(rm.resource)["process.executable.name"] for rm in out] == ["postgres"]


def test_the_evaluator_never_changes_its_input() -> None:
    given = batch()
    pipeline({"filter/x": {"metrics": {"metric": ['metric.name == "process.cpu.time"']}}}).run(
        given
    )
    assert [len(rm.metrics) for rm in given] == [2, 2, 2]


def test_groupbyattrs_merges_identical_resources_but_never_sums() -> None:
    same = [process("bash", 0), process("bash", 0)]
    out = pipeline({"groupbyattrs": {}}).run(same)
    assert len(out) == 1
    assert [len(m.points) for m in out[0].metrics] == [4, 2]


def test_rolling_up_needs_aligned_time_because_aggregation_keys_on_it() -> None:
    strip = {
        "metric_statements": [
            {
                "context": "resource",
                "statements": ['delete_key(resource.attributes, "process.pid")'],
            }
        ]
    }
    total = {
        "metric_statements": [
            {"context": "metric", "statements": ['aggregate_on_attributes("sum")']}
        ]
    }
    apart = [process("bash", 2, at=100), process("bash", 3, at=123)]
    out = pipeline({"transform/strip": strip, "groupbyattrs": {}, "transform/sum": total}).run(
        apart
    )
    assert len(out[0].metrics[0].points) == 4, "points 23ns apart are not merged"
    align = {
        "metric_statements": [
            {
                "context": "datapoint",
                "statements": [
                    'set(datapoint.time, TruncateTime(datapoint.time, Duration("100ns")))'
                ],
            }
        ]
    }
    out = pipeline(
        {
            "transform/strip": strip,
            "transform/align": align,
            "groupbyattrs": {},
            "transform/sum": total,
        }
    ).run(apart)
    assert sorted(p.value for p in out[0].metrics[0].points) == [2.0, 2.0]


def test_cumulativetodelta_drops_the_first_point_of_an_old_series_and_then_emits_deltas() -> None:
    delta = pipeline({"cumulativetodelta": {}})
    [first] = delta.run([process("bash", 2, cpu=5.0, at=100)])
    assert [m.name for m in first.metrics] == ["process.memory.usage"], (
        "not monotonic: passed through"
    )
    [later] = delta.run([process("bash", 2, cpu=7.5, at=200)])
    cpu = later.metrics[0]
    assert {p.value for p in cpu.points} == {2.5}
    assert cpu.temporality is otel.Temporality.DELTA
    [reset] = delta.run([process("bash", 2, cpu=1.0, at=300)])
    assert [m.name for m in reset.metrics] == ["process.memory.usage"], "a reset drops the point"


def test_a_flat_statement_list_takes_the_deepest_context_its_paths_name() -> None:
    flat = {
        "metric_statements": [
            'set(datapoint.attributes["seen"], true)',
            'set(resource.attributes["x"], 1)',
        ]
    }
    [rm] = pipeline({"transform": flat}).run([process("bash", 2)])
    assert all(dict(p.attributes)["seen"] is True for p in rm.metrics[0].points)


def test_a_flat_list_with_a_bare_path_cannot_infer_its_context() -> None:
    with pytest.raises(EvaluatorError, match="unable to infer a context"):
        pipeline({"transform": {"metric_statements": ['set(attributes["x"], 1)']}})


def test_error_mode_propagate_fails_the_batch_and_ignore_skips_the_statement() -> None:
    bad = ['set(resource.attributes["x"], resource.attributes["process.pid"] + 1.5)']
    with pytest.raises(ValueError, match="both sides"):
        pipeline({"transform": {"metric_statements": bad}}).run(batch())
    out = pipeline({"transform": {"error_mode": "ignore", "metric_statements": bad}}).run(batch())
    assert len(out) == 3


def test_an_unsupported_processor_is_an_error_that_says_so() -> None:
    with pytest.raises(EvaluatorError, match="the tail_sampling processor is not supported"):
        pipeline({"tail_sampling": {}})
