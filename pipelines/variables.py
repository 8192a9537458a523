"""Template variables checked against their declared types and bounds: what passes can render."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import re2

from pipelines.catalog import Variable, template
from pipelines.ottl.functions import duration_nanos


class VariableError(ValueError):
    """A variable is unknown, of the wrong type, out of bounds, or Phoenix's to set."""


_GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:]+\]$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_variables(
    template_name: str, variables: Mapping[str, Any], *, wiring_allowed: bool = False
) -> None:
    """Raise VariableError, naming ``variables.<name>``, for the first variable that is wrong.

    Without ``wiring_allowed`` (a client's experiment), Phoenix's wiring variables are refused:
    where a variant exports, where its collector listens, the experiment's own headers.
    """
    spec = template(template_name)  # ValueError for an unknown template
    for name, value in variables.items():
        variable = spec.variable(name)
        if variable is None:
            known = ", ".join(v.name for v in spec.variables if wiring_allowed or not v.wiring)
            raise VariableError(
                f"variables.{name}: {template_name} has no such variable; it takes {known}"
            )
        if variable.wiring and not wiring_allowed:
            raise VariableError(
                f"variables.{name}: set by Phoenix for each deployment ({variable.description}); "
                "an experiment cannot set it"
            )
        problem = check_value(variable, value)
        if problem:
            raise VariableError(f"variables.{name}: {problem}")


def check_value(variable: Variable, value: Any) -> str | None:
    """What is wrong with ``value`` for ``variable``, or None."""
    checker = _CHECKS.get(variable.kind)
    if checker is None:
        return None
    return checker(value, variable.bounds)


def _duration(value: Any, bounds: dict[str, Any]) -> str | None:
    if not isinstance(value, str) or not _GO_DURATION.match(value):
        return f"{value!r} is not a duration such as 10s, 500ms or 1m"
    nanos = duration_nanos(value)
    low, high = duration_nanos(bounds.get("min", "1ns")), duration_nanos(bounds.get("max", "24h"))
    if not low <= nanos <= high:
        return f"{value} is outside {bounds.get('min', '1ns')} to {bounds.get('max', '24h')}"
    return None


def _number(value: Any, bounds: dict[str, Any], *, whole: bool = False) -> str | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and not isinstance(value, int))
    ):
        return f"{value!r} is not {'a whole number' if whole else 'a number'}"
    if not math.isfinite(value):
        return f"{value!r} is not finite"
    low, high = bounds.get("min", -math.inf), bounds.get("max", math.inf)
    if not low <= value <= high:
        return f"{value} is outside {low} to {high}"
    return None


def _items(value: Any, bounds: dict[str, Any]) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"{value!r} is not a list of strings"
    if len(value) > bounds.get("max_items", 1000):
        return f"{len(value)} items; at most {bounds.get('max_items', 1000)}"
    if len(value) < bounds.get("min_items", 0):
        return f"needs at least {bounds['min_items']} item(s)"
    for index, item in enumerate(value):
        if len(item) > bounds.get("max_length", 1000):
            return f"[{index}] is longer than {bounds.get('max_length', 1000)} characters"
        if _CONTROL.search(item):
            return f"[{index}] contains a control character"
    return None


def _regexes(value: Any, bounds: dict[str, Any]) -> str | None:
    if problem := _items(value, bounds):
        return problem
    for index, pattern in enumerate(value):
        try:
            re2.compile(pattern)
        except re2.error as exc:
            return f"[{index}] {pattern!r} is not an RE2 regex, which the collector needs: {exc}"
    return None


def _choices(value: Any, bounds: dict[str, Any]) -> str | None:
    if problem := _items(value, bounds):
        return problem
    unknown = [v for v in value if v not in bounds["choices"]]
    if unknown:
        return (
            f"unknown {', '.join(map(repr, unknown))}; choose from {', '.join(bounds['choices'])}"
        )
    if len(set(value)) != len(value):
        return "lists a value twice"
    return None


def _name(value: Any, _bounds: dict[str, Any]) -> str | None:
    if not isinstance(value, str) or not _NAME.match(value):
        return f"{value!r} is not a name (letters, digits, '.', '_', '-')"
    return None


def _port(value: Any, _bounds: dict[str, Any]) -> str | None:
    if value is None:
        return None
    return _number(value, {"min": 1, "max": 65535}, whole=True)


def _hostport(value: Any, _bounds: dict[str, Any]) -> str | None:
    if not isinstance(value, str) or ":" not in value:
        return f"{value!r} is not host:port"
    host, _, port = value.rpartition(":")
    if not _HOST.match(host) or not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"{value!r} is not host:port"
    return None


def _url(value: Any, _bounds: dict[str, Any]) -> str | None:
    if not isinstance(value, str) or _CONTROL.search(value) or " " in value:
        return f"{value!r} is not a URL"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{value!r} is not an http(s) URL"
    return None


_CHECKS: dict[str, Callable[[Any, dict[str, Any]], str | None]] = {
    "duration": _duration,
    "int": lambda v, b: _number(v, b, whole=True),
    "number": _number,
    "strings": _items,
    "regexes": _regexes,
    "choices": _choices,
    "name": _name,
    "port": _port,
    "hostport": _hostport,
    "url": _url,
}
