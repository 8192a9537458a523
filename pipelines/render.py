"""Render a template with its variables into collector YAML."""

from __future__ import annotations

import json
import re
from typing import Any

import re2
from jinja2 import Environment, PackageLoader, StrictUndefined, UndefinedError

from pipelines import yaml_text
from pipelines.catalog import template
from pipelines.ottl.functions import duration_nanos
from pipelines.variables import check_value

NEVER = "a^"  # a regex that matches nothing, in RE2 and Python alike


def ottl_regex(patterns: list[str]) -> str:
    """One OTTL string literal matching any of ``patterns`` (or nothing when there are none)."""
    combined = "|".join(f"(?:{p})" for p in patterns) or NEVER
    re2.compile(combined)  # the collector compiles it with RE2 at start-up
    # JSON's escapes for \\ and \" are OTTL's; ensure_ascii=False keeps characters outside the
    # BMP whole (JSON's surrogate pairs are not valid Go escapes).
    return json.dumps(combined, ensure_ascii=False)


def exact(names: list[str]) -> list[str]:
    return [f"^{re.escape(n)}$" for n in names]


def half(duration: str) -> str:
    """Half a Go duration, as a Go duration ("10s" is "5s", "1s" is "500ms")."""
    nanos = duration_nanos(duration) // 2
    for unit, size in (("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)):
        if nanos % size == 0:
            return f"{nanos // size}{unit}"
    return f"{nanos}ns"


def single_quoted(text: str) -> str:
    """A YAML single-quoted scalar: backslashes stay as they are, quotes double."""
    return "'" + text.replace("'", "''") + "'"


_env = Environment(
    loader=PackageLoader("pipelines", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,  # YAML, not HTML
)
_env.filters.update(ottl_regex=ottl_regex, exact=exact, half=half, sq=single_quoted)


class RenderError(ValueError):
    """The template or its variables are wrong; the message names which."""


def render(name: str, variables: dict[str, Any] | None = None) -> str:
    spec = template(name)
    given = dict(variables or {})
    unknown = set(given) - {v.name for v in spec.variables}
    if unknown:
        raise RenderError(
            f"{name} has no variable(s) {', '.join(sorted(unknown))}; it takes {', '.join(v.name for v in spec.variables)}"
        )
    for variable in spec.variables:
        if variable.name not in given:
            continue
        problem = check_value(variable, given[variable.name])
        if problem:
            joint = "" if problem.startswith("[") else ": "
            raise RenderError(f"{variable.name}{joint}{problem}")
    values = {**spec.defaults(), **given}
    try:
        text = _env.get_template(f"{name}.yaml.j2").render(**values)
    except UndefinedError as exc:
        raise RenderError(f"{name}: {exc}") from None
    yaml_text.load(text)  # a template must always produce YAML; fail here, not in a collector
    return text


def render_config(name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = yaml_text.load(render(name, variables))
    return config
