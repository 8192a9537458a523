"""The OTTL converters Phoenix evaluates, with the collector's semantics for each."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import re2

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NANOS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


class OttlEvaluationError(ValueError):
    """An expression failed on this item (wrong type, bad argument)."""


@lru_cache(maxsize=1024)
def regex(pattern: str) -> Any:
    """A pattern compiled by RE2, the engine the collector uses (Python's re differs: \\d,
    lookarounds, possessive quantifiers).
    """
    try:
        return re2.compile(pattern)
    except re2.error as exc:
        raise OttlEvaluationError(f"invalid regex {pattern!r} (RE2 syntax): {exc}") from exc


def duration_nanos(text: str) -> int:
    """Go's time.ParseDuration for the units a collector config uses."""
    if not isinstance(text, str) or not text:
        raise OttlEvaluationError(f'Duration needs a string such as "10s", not {text!r}')
    total, position = 0.0, 0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNIT_NANOS[match.group(2)]
        position = match.end()
    if position != len(text):
        raise OttlEvaluationError(f"invalid duration {text!r}")
    return int(total)


def _is_match(target: Any, pattern: Any) -> bool:
    if target is None:
        return False
    if not isinstance(pattern, str):
        raise OttlEvaluationError("IsMatch needs a string pattern")
    value = target if isinstance(target, str) else _stringify(target)
    return regex(pattern).search(value) is not None


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _concat(values: Any, delimiter: Any) -> str:
    if not isinstance(values, list):
        raise OttlEvaluationError("Concat needs a list")
    return str(delimiter).join("" if v is None else _stringify(v) for v in values)


def _double(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _string(value: Any) -> str | None:
    return None if value is None else _stringify(value)


GO_ZERO_TIME_NANOS = 62_135_596_800 * 1_000_000_000  # 0001-01-01T00:00:00Z before the Unix epoch


def _truncate_time(time_nanos: Any, duration: Any) -> int:
    """Go's Time.Truncate: rounds down to a multiple of ``duration`` since Go's zero time."""
    if not isinstance(time_nanos, int) or not isinstance(duration, int) or duration <= 0:
        raise OttlEvaluationError("TruncateTime needs a time and a positive Duration")
    return time_nanos - (time_nanos + GO_ZERO_TIME_NANOS) % duration


CONVERTERS: dict[str, Callable[..., Any]] = {
    "IsMatch": _is_match,
    "Concat": _concat,
    "Double": _double,
    "Int": _int,
    "String": _string,
    "Duration": duration_nanos,
    "TruncateTime": _truncate_time,
    "HasPrefix": lambda s, p: isinstance(s, str) and s.startswith(p),
    "HasSuffix": lambda s, p: isinstance(s, str) and s.endswith(p),
    "Len": lambda v: len(v) if isinstance(v, str | list | dict) else 0,
    "IsString": lambda v: isinstance(v, str),
    "IsInt": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "IsDouble": lambda v: isinstance(v, float),
    "IsBool": lambda v: isinstance(v, bool),
}

# Converter name -> (least, most) positional arguments, for the validator.
ARITY: dict[str, tuple[int, int]] = {
    "IsMatch": (2, 2), "Concat": (2, 2), "Double": (1, 1), "Int": (1, 1), "String": (1, 1),
    "Duration": (1, 1), "TruncateTime": (2, 2), "HasPrefix": (2, 2), "HasSuffix": (2, 2),
    "Len": (1, 1), "IsString": (1, 1), "IsInt": (1, 1), "IsDouble": (1, 1), "IsBool": (1, 1),
}  # fmt: skip

# Editors and where they may run; metric-only editors act on a whole metric's points.
EDITORS: dict[str, tuple[tuple[int, int], frozenset[str]]] = {
    "set": ((2, 2), frozenset({"resource", "scope", "metric", "datapoint"})),
    "delete_key": ((2, 2), frozenset({"resource", "scope", "metric", "datapoint"})),
    "delete_matching_keys": ((2, 2), frozenset({"resource", "scope", "metric", "datapoint"})),
    "keep_keys": ((2, 2), frozenset({"resource", "scope", "metric", "datapoint"})),
    "keep_matching_keys": ((2, 2), frozenset({"resource", "scope", "metric", "datapoint"})),
    "replace_pattern": ((3, 3), frozenset({"resource", "scope", "metric", "datapoint"})),
    "aggregate_on_attributes": ((1, 2), frozenset({"metric"})),
}

ENUMS: dict[str, int] = {
    "METRIC_DATA_TYPE_NONE": 0,
    "METRIC_DATA_TYPE_GAUGE": 1,
    "METRIC_DATA_TYPE_SUM": 2,
    "METRIC_DATA_TYPE_HISTOGRAM": 3,
    "METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM": 4,
    "METRIC_DATA_TYPE_SUMMARY": 5,
    "AGGREGATION_TEMPORALITY_UNSPECIFIED": 0,
    "AGGREGATION_TEMPORALITY_DELTA": 1,
    "AGGREGATION_TEMPORALITY_CUMULATIVE": 2,
}
