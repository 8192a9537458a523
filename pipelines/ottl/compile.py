"""Compile OTTL syntax into Python closures over a Target, for one context."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from typing import Any

from domain.telemetry.model import DataPoint, Metric, MetricType, Temporality
from pipelines.ottl import ast
from pipelines.ottl.context import DATAPOINT, METRIC, RESOURCE, SCOPE, Target
from pipelines.ottl.functions import (
    ARITY,
    CONVERTERS,
    EDITORS,
    ENUMS,
    GO_ZERO_TIME_NANOS,
    OttlEvaluationError,
    duration_nanos,
    regex,
)

Getter = Callable[[Target], Any]
Action = Callable[[Target], None]

_TYPE_ENUM = {MetricType.GAUGE: 1, MetricType.SUM: 2}
_TEMPORALITY_ENUM = {Temporality.UNSPECIFIED: 0, Temporality.DELTA: 1, Temporality.CUMULATIVE: 2}
_CONTEXT_NAMES = {
    "resource": RESOURCE,
    "scope": SCOPE,
    "instrumentation_scope": SCOPE,
    "metric": METRIC,
    "datapoint": DATAPOINT,
}


class OttlCompileError(ValueError):
    """The expression parses but cannot run in this context (unknown path, function, arity)."""


# -- paths ----------------------------------------------------------------------------------


def _split(path: ast.Path, kind: str) -> tuple[str, tuple[str, ...]]:
    """(context, fields): an explicit prefix, or the statement's own context for a bare path."""
    first = path.names[0]
    if first in _CONTEXT_NAMES and (len(path.names) > 1 or path.keys):
        return _CONTEXT_NAMES[first], path.names[1:]
    return kind, path.names


def _reachable(owner: str, kind: str, path: ast.Path) -> None:
    order = (RESOURCE, SCOPE, METRIC, DATAPOINT)
    if order.index(owner) > order.index(kind):
        raise OttlCompileError(f"{path} is not reachable from the {kind} context")


def _map_of(path: ast.Path, kind: str, *, write: bool) -> Callable[[Target], dict[str, Any]]:
    owner, fields = _split(path, kind)
    _reachable(owner, kind, path)
    if fields != ("attributes",):
        raise OttlCompileError(f"{path} is not a map Phoenix can read or change")
    if owner == RESOURCE:
        return lambda t: t.resource_attrs
    if owner == DATAPOINT:
        return (lambda t: t.touch_point_attrs()) if write else (lambda t: t.point_attrs)
    raise OttlCompileError(f"{path}: {owner} attributes are not supported by Phoenix's evaluator")


def getter(path: ast.Path, kind: str) -> Getter:
    owner, fields = _split(path, kind)
    _reachable(owner, kind, path)
    if fields == ("attributes",):
        read = _map_of(ast.Path(path.names), kind, write=False)
        if not path.keys:
            return lambda t: dict(read(t))
        if len(path.keys) != 1 or not isinstance(path.keys[0], str):
            raise OttlCompileError(f"{path}: only one string key is supported")
        key = path.keys[0]
        return lambda t: read(t).get(key)
    if path.keys:
        raise OttlCompileError(f"{path}: only attributes can be indexed")
    field = fields[0] if len(fields) == 1 else None
    if owner == METRIC:
        metric_fields: dict[str | None, Getter] = {
            "name": lambda t: _metric(t).name,
            "unit": lambda t: _metric(t).unit,
            "description": lambda t: _metric(t).description,
            "type": lambda t: _TYPE_ENUM[_metric(t).type],
            # Gauges have neither: the collector answers nil, not false or 0.
            "is_monotonic": lambda t: (
                _metric(t).monotonic if _metric(t).type is MetricType.SUM else None
            ),
            "aggregation_temporality": lambda t: (
                _TEMPORALITY_ENUM[_metric(t).temporality]
                if _metric(t).type is MetricType.SUM
                else None
            ),
        }
        if field in metric_fields:
            return metric_fields[field]
    if owner == DATAPOINT:
        point_fields: dict[str | None, Getter] = {
            "value_double": lambda t: 0.0 if _point(t).is_int else _point(t).value,
            "value_int": lambda t: int(_point(t).value) if _point(t).is_int else 0,
            "time_unix_nano": lambda t: _point(t).time_unix_nano,
            "start_time_unix_nano": lambda t: _point(t).start_time_unix_nano,
            "time": lambda t: _point(t).time_unix_nano,
            "start_time": lambda t: _point(t).start_time_unix_nano,
        }
        if field in point_fields:
            return point_fields[field]
    raise OttlCompileError(
        f"{path} is not a path Phoenix's evaluator supports in the {kind} context"
    )


def setter(path: ast.Path, kind: str) -> Callable[[Target, Any], None]:
    owner, fields = _split(path, kind)
    _reachable(owner, kind, path)
    if fields == ("attributes",) and len(path.keys) == 1 and isinstance(path.keys[0], str):
        write = _map_of(ast.Path(path.names), kind, write=True)
        key = path.keys[0]

        def set_attribute(t: Target, value: Any) -> None:
            write(t)[key] = value

        return set_attribute
    field = fields[0] if len(fields) == 1 and not path.keys else None
    if owner == METRIC and field in ("name", "unit", "description"):
        return lambda t, v: setattr(_metric(t), field, _require(v, str, path))
    if owner == METRIC and field == "is_monotonic":

        def set_monotonic(t: Target, v: Any) -> None:
            if _metric(t).type is MetricType.SUM:  # only a sum has the flag
                _metric(t).monotonic = _require(v, bool, path)

        return set_monotonic
    if owner == DATAPOINT and field in (
        "time",
        "time_unix_nano",
        "start_time",
        "start_time_unix_nano",
    ):
        attribute = "time_unix_nano" if field.startswith("time") else "start_time_unix_nano"
        return lambda t, v: setattr(_point(t), attribute, _require(v, int, path))
    if owner == DATAPOINT and field == "value_double":

        def set_double(t: Target, v: Any) -> None:
            _point(t).value, _point(t).is_int = float(_require(v, float, path)), False

        return set_double
    if owner == DATAPOINT and field == "value_int":

        def set_int(t: Target, v: Any) -> None:
            _point(t).value, _point(t).is_int = float(_require(v, int, path)), True

        return set_int
    raise OttlCompileError(f"{path} cannot be set by Phoenix's evaluator in the {kind} context")


def _require(value: Any, kind: type, path: ast.Path) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise OttlEvaluationError(f"{path} needs a {kind.__name__}, not {value!r}")
    return value


def _metric(t: Target) -> Metric:
    assert t.metric is not None
    return t.metric


def _point(t: Target) -> DataPoint:
    assert t.point is not None
    return t.point


# -- expressions ----------------------------------------------------------------------------


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def compare(op: str, a: Any, b: Any) -> bool:
    """OTTL comparison: int and float compare as numbers; other mixed types are unequal."""
    if _numeric(a) and _numeric(b):
        pass
    elif a is None or b is None or type(a) is not type(b):
        return (op == "!=") if not (a is None and b is None) else op in ("==", "<=", ">=")
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if isinstance(a, bool | dict | list):
        return False
    try:
        return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
    except TypeError:
        return False


def _math(op: str, a: Any, b: Any) -> Any:
    if not (_numeric(a) and _numeric(b)) or type(a) is not type(b):
        raise OttlEvaluationError(
            f"cannot compute {a!r} {op} {b!r}: both sides must be int or both float"
        )
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise OttlEvaluationError("division by zero")
    if isinstance(a, int):
        return int(a / b)  # Go truncates toward zero
    return a / b


def expression(node: Any, kind: str) -> Getter:
    if isinstance(node, ast.Literal):
        value = node.value
        return lambda t: value
    if isinstance(node, ast.Enum):
        if node.name not in ENUMS:
            raise OttlCompileError(f"unknown enum {node.name}")
        number = ENUMS[node.name]
        return lambda t: number
    if isinstance(node, ast.Path):
        return getter(node, kind)
    if isinstance(node, ast.ListExpr):
        items = [expression(i, kind) for i in node.items]
        return lambda t: [i(t) for i in items]
    if isinstance(node, ast.MapExpr):
        pairs = [(k, expression(v, kind)) for k, v in node.items]
        return lambda t: {k: v(t) for k, v in pairs}
    if isinstance(node, ast.Call):
        return _converter(node, kind)
    if isinstance(node, ast.Not):
        operand = condition(node.operand, kind)
        return lambda t: not operand(t)
    if isinstance(node, ast.BoolOp):
        parts = [condition(p, kind) for p in node.operands]
        if node.op == "and":
            return lambda t: all(p(t) for p in parts)
        return lambda t: any(p(t) for p in parts)
    if isinstance(node, ast.Compare):
        left, right, op = expression(node.left, kind), expression(node.right, kind), node.op
        return lambda t: compare(op, left(t), right(t))
    if isinstance(node, ast.Math):
        left, right, op = expression(node.left, kind), expression(node.right, kind), node.op
        return lambda t: _math(op, left(t), right(t))
    raise OttlCompileError(f"unsupported expression {node!r}")


def condition(node: Any, kind: str) -> Callable[[Target], bool]:
    value = expression(node, kind)

    def check(t: Target) -> bool:
        result = value(t)
        if not isinstance(result, bool):
            raise OttlEvaluationError(f"a condition must be true or false, not {result!r}")
        return result

    return check


def _converter(call: ast.Call, kind: str) -> Getter:
    if call.name not in CONVERTERS:
        raise OttlCompileError(f"OTTL function {call.name} is not supported by Phoenix's evaluator")
    if call.named or call.keys:
        raise OttlCompileError(f"{call.name}: named arguments and indexing are not supported")
    low, high = ARITY[call.name]
    if not low <= len(call.args) <= high:
        raise OttlCompileError(f"{call.name} takes {low} argument(s), got {len(call.args)}")
    fn = CONVERTERS[call.name]
    if all(isinstance(a, ast.Literal) for a in call.args):
        # Constant folding: Duration("10s") and its like are computed once, not per datapoint.
        try:
            folded = fn(*(a.value for a in call.args))
        except OttlEvaluationError:
            pass  # raise it where the collector would: on evaluation
        else:
            return lambda t: folded
    args = [expression(a, kind) for a in call.args]
    if len(args) == 1:
        only = args[0]
        return lambda t: fn(only(t))
    first, second = args[0], args[1]
    return lambda t: fn(first(t), second(t))


# -- statements -----------------------------------------------------------------------------


def statement(node: ast.Statement, kind: str) -> Action:
    editor = node.editor
    if editor.name not in EDITORS:
        raise OttlCompileError(
            f"OTTL function {editor.name} is not supported by Phoenix's evaluator"
        )
    (low, high), contexts = EDITORS[editor.name]
    if kind not in contexts:
        raise OttlCompileError(
            f"{editor.name} cannot run in the {kind} context (only {', '.join(sorted(contexts))})"
        )
    if not low <= len(editor.args) <= high or editor.named:
        raise OttlCompileError(
            f"{editor.name} takes {low} to {high} positional argument(s), got {len(editor.args)}"
        )
    action = _editor(editor, kind)
    if node.where is None:
        return action
    where = condition(node.where, kind)

    def guarded(t: Target) -> None:
        if where(t):
            action(t)

    return guarded


def _path_arg(call: ast.Call, index: int) -> ast.Path:
    arg = call.args[index]
    if not isinstance(arg, ast.Path):
        raise OttlCompileError(f"{call.name}: argument {index + 1} must be a path")
    return arg


def _editor(call: ast.Call, kind: str) -> Action:
    name = call.name
    if name == "set":
        put, value = setter(_path_arg(call, 0), kind), expression(call.args[1], kind)

        def do_set(t: Target) -> None:
            v = value(t)
            if v is not None:  # set with nil is a no-op in the collector
                put(t, v)

        return do_set
    if name == "aggregate_on_attributes":
        return _aggregate(call, kind)
    if name == "replace_pattern":
        path = _path_arg(call, 0)
        read, put = getter(path, kind), setter(path, kind)
        pattern, replacement = expression(call.args[1], kind), expression(call.args[2], kind)

        def do_replace(t: Target) -> None:
            current = read(t)
            if isinstance(current, str):
                put(t, regex(pattern(t)).sub(_go_replacement(replacement(t)), current))

        return do_replace
    target = _map_of(_path_arg(call, 0), kind, write=True)
    argument = expression(call.args[1], kind)
    if name == "delete_key":
        return lambda t: target(t).pop(argument(t), None) and None
    if name == "delete_matching_keys":

        def delete_matching(t: Target) -> None:
            m, pattern = target(t), regex(argument(t))
            for key in [k for k in m if pattern.search(k)]:
                del m[key]

        return delete_matching
    if name == "keep_keys":

        def keep(t: Target) -> None:
            m, wanted = target(t), set(argument(t))
            for key in [k for k in m if k not in wanted]:
                del m[key]

        return keep
    if name == "keep_matching_keys":

        def keep_matching(t: Target) -> None:
            m, pattern = target(t), regex(argument(t))
            for key in [k for k in m if not pattern.search(k)]:
                del m[key]

        return keep_matching
    raise OttlCompileError(f"OTTL function {name} is not supported by Phoenix's evaluator")


def _go_replacement(text: str) -> str:
    """Go's $1 / ${name} replacement syntax, in Python's."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: f"\\g<{m.group(1)}>", text.replace("\\", "\\\\"))


_AGGREGATIONS = ("sum", "mean", "min", "max", "median", "count")


def _aggregate(call: ast.Call, kind: str) -> Action:
    function = expression(call.args[0], kind)
    keys = expression(call.args[1], kind) if len(call.args) > 1 else None

    def aggregate(t: Target) -> None:
        fn = function(t)
        if fn not in _AGGREGATIONS:
            raise OttlEvaluationError(f"aggregate_on_attributes: unknown function {fn!r}")
        metric = _metric(t)
        kept = None if keys is None else set(keys(t))
        groups: dict[tuple[Any, ...], list[DataPoint]] = {}
        delta = metric.temporality is Temporality.DELTA
        for point in metric.points:
            attrs = (
                point.attributes
                if kept is None
                else tuple(a for a in point.attributes if a[0] in kept)
            )
            # The collector keys on the timestamp too: points of different instants never merge.
            key = (attrs, point.time_unix_nano, point.start_time_unix_nano if delta else None)
            groups.setdefault(key, []).append(point)
        merged = []
        for (attrs, _, _), points in groups.items():
            first = points[0]
            values = [p.value for p in points]
            merged.append(
                DataPoint(
                    attrs,
                    combine(fn, values, first.is_int),
                    min(p.start_time_unix_nano for p in points),
                    first.time_unix_nano,
                    first.is_int,
                )
            )
        metric.points = merged

    return aggregate


def combine(fn: str, values: list[float], is_int: bool) -> float:
    if fn == "sum":
        return float(sum(values))
    if fn == "min":
        return min(values)
    if fn == "max":
        return max(values)
    if fn == "count":
        return float(len(values)) if len(values) > 1 else values[0]  # the collector's quirk
    result = statistics.fmean(values) if fn == "mean" else statistics.median(values)
    return float(int(result)) if is_int else result


def reads_only_resource(node: Any, kind: str) -> bool:
    """True when every path the expression reads belongs to the resource: its value is the same
    for every metric and point of one resource, so it need be evaluated once per resource.
    """
    paths = ast.paths_in(node)
    return bool(paths) and all(_split(p, kind)[0] == RESOURCE for p in paths)


def writes_resource(node: ast.Statement, kind: str) -> bool:
    """True when the statement's editor changes something of the resource."""
    target = node.editor.args[0] if node.editor.args else None
    return isinstance(target, ast.Path) and _split(target, kind)[0] == RESOURCE


# -- statements over all of a metric's points at once ------------------------------------------

PointKernel = Callable[[list[DataPoint]], None]
_TIME_FIELDS = {
    "time": "time_unix_nano",
    "time_unix_nano": "time_unix_nano",
    "start_time": "start_time_unix_nano",
    "start_time_unix_nano": "start_time_unix_nano",
}


def point_kernel(node: ast.Statement, kind: str) -> PointKernel | None:
    """The statement over a metric's points in one loop, where its shape needs nothing else:
    ``set(<a point time>, TruncateTime(<a point time>, Duration("<constant>")))``, the time
    alignment of the rollup templates. None for any other statement (it runs point by point,
    through a Target). Same arithmetic as TruncateTime, so the same result.
    """
    call = node.editor
    if kind != DATAPOINT or node.where is not None or call.name != "set" or len(call.args) != 2:
        return None
    target, value = call.args
    if not (
        isinstance(value, ast.Call)
        and value.name == "TruncateTime"
        and not value.named
        and not value.keys
        and len(value.args) == 2
    ):
        return None
    source, duration = value.args
    put, read = _time_field(target, kind), _time_field(source, kind)
    if put is None or read is None or not _is_constant_duration(duration):
        return None
    try:
        nanos = duration_nanos(duration.args[0].value)
    except OttlEvaluationError:
        return None  # refused where the collector refuses it: on evaluation, point by point
    if nanos <= 0:
        return None

    def truncate_each(points: list[DataPoint]) -> None:
        for point in points:
            t = getattr(point, read)
            setattr(point, put, t - (t + GO_ZERO_TIME_NANOS) % nanos)

    return truncate_each


def _time_field(node: Any, kind: str) -> str | None:
    if not isinstance(node, ast.Path) or node.keys:
        return None
    owner, fields = _split(node, kind)
    if owner != DATAPOINT or len(fields) != 1:
        return None
    return _TIME_FIELDS.get(fields[0])


def _is_constant_duration(node: Any) -> bool:
    return (
        isinstance(node, ast.Call)
        and node.name == "Duration"
        and not node.named
        and not node.keys
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Literal)
        and isinstance(node.args[0].value, str)
    )
