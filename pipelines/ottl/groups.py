"""OTTL statement and condition groups as filter and transform configure them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipelines.ottl import ast
from pipelines.ottl.context import CONTEXTS, DATAPOINT, METRIC, RESOURCE, SCOPE
from pipelines.ottl.parser import parse_condition, parse_statement

# Priority when a flat list's context is inferred from its paths (pkg/ottl context_inferrer).
_PRIORITY = (DATAPOINT, METRIC, SCOPE, RESOURCE)
_PREFIXES = {
    "resource": RESOURCE,
    "scope": SCOPE,
    "instrumentation_scope": SCOPE,
    "metric": METRIC,
    "datapoint": DATAPOINT,
}
_METRIC_ONLY = {"aggregate_on_attributes"}


@dataclass(frozen=True)
class Group:
    context: str
    conditions: tuple[Any, ...]
    statements: tuple[ast.Statement, ...]
    error_mode: str | None


def infer_context(nodes: Sequence[Any], where: str) -> str:
    """The context a flat list runs in: the deepest one its paths name."""
    found: set[str] = set()
    editors: set[str] = set()
    for node in nodes:
        for path in ast.paths_in(node):
            first = path.names[0]
            if first not in _PREFIXES:
                raise ValueError(
                    f"{where}: unable to infer a context from {path}: a path's first segment "
                    "must be a context name (resource, scope, metric, datapoint)"
                )
            found.add(_PREFIXES[first])
        if isinstance(node, ast.Statement):
            editors.add(node.editor.name)
    if editors & _METRIC_ONLY:
        if DATAPOINT in found:
            raise ValueError(
                f"{where}: {', '.join(sorted(editors & _METRIC_ONLY))} runs in the metric context and cannot share a group with datapoint paths; split the group"
            )
        return METRIC
    for context in _PRIORITY:
        if context in found:
            return context
    raise ValueError(f"{where}: unable to infer a context: no path names one")


def parse_groups(raw: Any, where: str, *, statements: bool) -> list[Group]:
    """A flat list of strings (one group, inferred context), or a list of structured groups."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError(f"{where}: must be a list")
    parse = parse_statement if statements else parse_condition
    if all(isinstance(item, str) for item in raw):
        nodes = [parsed(parse, text, f"{where}[{i}]") for i, text in enumerate(raw)]
        context: Any = infer_context(nodes, where)
        if statements:
            return [Group(context, (), tuple(nodes), None)]
        return [Group(context, tuple(nodes), (), None)]
    if any(isinstance(item, str) for item in raw):
        raise ValueError(f"{where}: mixing strings and groups is not supported")
    groups = []
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise ValueError(
                f"{here}: must be a map with statements (and optionally context, conditions)"
            )
        unknown = set(item) - {"context", "conditions", "statements", "error_mode"}
        if unknown:
            raise ValueError(f"{here}: has invalid keys: {', '.join(sorted(unknown))}")
        conditions = [
            parsed(parse_condition, c, f"{here}.conditions[{j}]")
            for j, c in enumerate(item.get("conditions") or [])
        ]
        key = "statements" if statements else "conditions"
        bodies = item.get(key) or []
        if statements:
            body = [
                parsed(parse_statement, s, f"{here}.statements[{j}]") for j, s in enumerate(bodies)
            ]
        else:
            body = conditions
        context = item.get("context")
        if context is None:
            context = infer_context([*conditions, *body], here)
        elif str(context).lower() not in CONTEXTS:
            raise ValueError(
                f"{here}.context: must be one of {', '.join(CONTEXTS)}, not {context!r}"
            )
        mode = item.get("error_mode")
        if statements:
            groups.append(Group(str(context).lower(), tuple(conditions), tuple(body), mode))
        else:
            groups.append(Group(str(context).lower(), tuple(conditions), (), mode))
    return groups


def parsed(parse: Any, text: Any, where: str) -> Any:
    """``parse(text)``, with ``where`` leading any error's message."""
    if not isinstance(text, str):
        raise ValueError(f"{where}: must be a string")
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
