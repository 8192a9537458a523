"""OTTL as the collector reads it: syntax, precedence, comparison and math rules, editors."""

from __future__ import annotations

import random

import pytest

from domain.telemetry.model import DataPoint, Metric, MetricType, ResourceMetrics, Temporality
from pipelines.ottl import ast
from pipelines.ottl.compile import OttlCompileError, compare, condition, point_kernel, statement
from pipelines.ottl.context import DATAPOINT, METRIC, RESOURCE, Target
from pipelines.ottl.functions import OttlEvaluationError
from pipelines.ottl.parser import OttlSyntaxError, parse_condition, parse_statement


def target(kind: str = DATAPOINT, **resource: object) -> Target:
    point = DataPoint((("state", "user"),), 2.5, 100, 1_000_000_000)
    metric = Metric(
        "process.cpu.time",
        MetricType.SUM,
        "s",
        monotonic=True,
        temporality=Temporality.CUMULATIVE,
        points=[point],
    )
    rm = ResourceMetrics(tuple(sorted(resource.items())), [metric])  # type: ignore[arg-type]
    return Target(kind, rm, dict(resource), metric, point)


def check(text: str, kind: str = DATAPOINT, **resource: object) -> bool:
    return condition(parse_condition(text), kind)(target(kind, **resource))


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    node = parse_condition("not true and false or true")
    assert isinstance(node, ast.BoolOp)
    assert node.op == "or"
    assert check("not true and false or true")


def test_an_unknown_escape_in_a_string_is_a_syntax_error_as_in_go() -> None:
    with pytest.raises(OttlSyntaxError, match=r"invalid escape \\d"):
        parse_condition('IsMatch(attributes["x"], "\\d+")')
    assert parse_condition('"\\\\d+"') == ast.Literal("\\d+")


def test_keywords_are_whole_words() -> None:
    assert parse_condition("notes == 1") == ast.Compare("==", ast.Path(("notes",)), ast.Literal(1))


@pytest.mark.parametrize(
    ("a", "op", "b", "expected"),
    [
        (1, "==", 1.0, True),
        (2, ">", 1.5, True),
        ("1", "==", 1, False),
        ("1", "!=", 1, True),
        (None, "==", None, True),
        ("a", "<", "b", True),
        (True, "<", False, False),
    ],
)
def test_comparison_follows_ottl(a: object, op: str, b: object, expected: bool) -> None:
    assert compare(op, a, b) is expected


def test_a_missing_attribute_is_nil() -> None:
    assert check('resource.attributes["absent"] == nil', **{"host.name": "h"})


def test_is_match_is_unanchored_like_go() -> None:
    assert check(
        'IsMatch(resource.attributes["process.executable.name"], "gres")',
        **{"process.executable.name": "postgres"},
    )


def test_math_mixing_int_and_float_is_an_error() -> None:
    with pytest.raises(OttlEvaluationError, match="both sides"):
        check("datapoint.time_unix_nano / 2.0 > 1.0")
    assert check("Double(datapoint.time_unix_nano) / 1000000000.0 == 1.0")


def test_metric_values_are_not_attributes() -> None:
    assert check('datapoint.attributes["value"] == nil')
    assert check("datapoint.value_double == 2.5")


def test_set_with_nil_changes_nothing_and_delete_keep_edit_maps() -> None:
    t = target(RESOURCE, **{"process.pid": 7, "process.command": "x", "host.name": "h"})
    for text in (
        'set(resource.attributes["host.name"], nil)',
        'keep_keys(resource.attributes, ["host.name", "process.pid"])',
        'delete_key(resource.attributes, "process.pid")',
    ):
        statement(parse_statement(text), RESOURCE)(t)
    assert t.resource_attrs == {"host.name": "h"}


def test_aggregate_on_attributes_only_merges_points_of_the_same_instant() -> None:
    t = target(METRIC)
    assert t.metric is not None
    t.metric.points = [
        DataPoint((("state", "user"),), 1.0, 5, 1000),
        DataPoint((("state", "user"),), 2.0, 3, 1000),
        DataPoint((("state", "user"),), 4.0, 1, 1001),
    ]
    statement(parse_statement('aggregate_on_attributes("sum")'), METRIC)(t)
    assert sorted((p.value, p.start_time_unix_nano, p.time_unix_nano) for p in t.metric.points) == [
        (3.0, 3, 1000),
        (4.0, 1, 1001),
    ]


def test_an_editor_outside_its_context_or_an_unknown_function_is_refused() -> None:
    with pytest.raises(OttlCompileError, match="cannot run in the datapoint context"):
        statement(parse_statement('aggregate_on_attributes("sum")'), DATAPOINT)
    with pytest.raises(OttlCompileError, match="not supported by Phoenix's evaluator"):
        statement(parse_statement("limit(resource.attributes, 3, [])"), RESOURCE)


@pytest.mark.parametrize(
    "text",
    [
        'set(datapoint.time, TruncateTime(datapoint.time, Duration("10s")))',
        'set(time_unix_nano, TruncateTime(time, Duration("250ms")))',
        'set(datapoint.start_time, TruncateTime(datapoint.time, Duration("1m")))',
        'set(time, TruncateTime(start_time_unix_nano, Duration("7ns")))',
    ],
)
def test_a_time_alignment_over_a_metric_s_points_at_once_equals_it_point_by_point(
    text: str,
) -> None:
    rng = random.Random(text)
    times = [rng.randrange(-(10**12), 2 * 10**18) for _ in range(200)] + [0, 1, -1]
    one_by_one = [DataPoint((), 1.0, t // 2, t) for t in times]
    at_once = [DataPoint((), 1.0, t // 2, t) for t in times]
    node = parse_statement(text)
    run = statement(node, DATAPOINT)
    for point in one_by_one:
        run(Target(DATAPOINT, ResourceMetrics((), []), {}, point=point))
    kernel = point_kernel(node, DATAPOINT)
    assert kernel is not None
    kernel(at_once)
    assert at_once == one_by_one


@pytest.mark.parametrize(
    "text",
    [
        'set(time, TruncateTime(time, Duration("10s"))) where attributes["state"] == "user"',
        'set(time, TruncateTime(time, Duration(attributes["every"])))',
        'set(time, TruncateTime(time, Duration("0s")))',
        'set(attributes["t"], TruncateTime(time, Duration("10s")))',
        "set(time, Int(time))",
    ],
)
def test_a_statement_that_needs_more_than_the_points_runs_point_by_point(text: str) -> None:
    assert point_kernel(parse_statement(text), DATAPOINT) is None
