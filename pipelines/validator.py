"""Validate a collector config: structure, references, keys, and every OTTL statement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from pipelines.ottl import ast
from pipelines.ottl import compile as ottl
from pipelines.ottl.parser import parse_condition, parse_statement
from pipelines.processors.ottl_groups import parse_groups
from pipelines.schemas import OTTL_FUNCTIONS, SECTIONS

COMPONENT_ID = re.compile(r"^[a-zA-Z][0-9a-zA-Z_]{0,62}(/\S+)?$")
TOP_LEVEL = {"receivers", "processors", "exporters", "extensions", "connectors", "service"}
TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "num": (int, float),
    "bool": bool,
    "list": list,
    "map": dict,
}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def validate_text(text: str) -> dict[str, Any]:
    """The parsed config; raises ConfigInvalid listing every problem found."""
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        raise ConfigInvalid(
            [Problem(where, f"invalid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    if not isinstance(config, dict):
        raise ConfigInvalid([Problem("(document)", "a collector config must be a YAML map")])
    problems = validate(config)
    if problems:
        raise ConfigInvalid(problems)
    return config


def validate(config: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for key in sorted(set(config) - TOP_LEVEL):
        problems.append(
            Problem(key, f"unknown top-level key; expected {', '.join(sorted(TOP_LEVEL))}")
        )
    for section, known in SECTIONS.items():
        components = config.get(section) or {}
        if not isinstance(components, dict):
            problems.append(Problem(section, "must be a map of component id to config"))
            continue
        for component, body in components.items():
            path = f"{section}.{component}"
            if not COMPONENT_ID.match(str(component)):
                problems.append(Problem(path, "not a valid component id (type[/name])"))
                continue
            kind = str(component).split("/", 1)[0]
            if kind not in known:
                problems.append(
                    Problem(
                        path, f"unknown type {kind!r} (known {section}: {', '.join(sorted(known))})"
                    )
                )
                continue
            problems.extend(_keys(body or {}, known[kind], path))
            if section == "processors":
                problems.extend(_processor(kind, body or {}, path))
            otlp_exporter = section == "exporters" and kind in (
                "otlphttp",
                "otlp_http",
                "otlp",
                "otlp_grpc",
            )
            if otlp_exporter and not any(
                (body or {}).get(k) for k in ("endpoint", "metrics_endpoint")
            ):
                problems.append(Problem(path, "at least one endpoint must be specified"))
    problems.extend(_service(config))
    return problems


def _keys(body: Any, spec: Any, path: str) -> list[Problem]:
    if spec == "any":
        return []
    if isinstance(spec, str):
        expected = TYPES[spec]
        if isinstance(body, bool) and spec in ("int", "num"):
            return [Problem(path, f"must be {spec}, not a boolean")]
        return (
            []
            if isinstance(body, expected)
            else [Problem(path, f"must be {spec}, not {type(body).__name__}")]
        )
    if not isinstance(body, dict):
        return [Problem(path, "must be a map")]
    problems = [
        Problem(f"{path}.{key}", f"unknown key (valid: {', '.join(sorted(spec))})")
        for key in body
        if key not in spec
    ]
    for key, value in body.items():
        if key in spec and value is not None:
            problems.extend(_keys(value, spec[key], f"{path}.{key}"))
    return problems


def _processor(kind: str, body: dict[str, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    if "error_mode" in body and body["error_mode"] not in ("ignore", "silent", "propagate"):
        problems.append(Problem(f"{path}.error_mode", "must be ignore, silent or propagate"))
    if kind == "memory_limiter":
        if not body.get("check_interval"):
            problems.append(
                Problem(f"{path}.check_interval", "required and must be greater than zero")
            )
        if not (body.get("limit_mib") or body.get("limit_percentage")):
            problems.append(Problem(path, "limit_mib or limit_percentage is required"))
    if kind == "resource" and not body.get("attributes"):
        problems.append(Problem(f"{path}.attributes", "missing required field"))
    if kind == "filter":
        metrics = body.get("metrics") or {}
        if body.get("metric_conditions") is not None and metrics:
            problems.append(Problem(path, "metric_conditions cannot be combined with metrics"))
        for context in ("resource", "metric", "datapoint"):
            for index, text in enumerate(metrics.get(context) or []):
                here = f"{path}.metrics.{context}[{index}]"
                problems.extend(_ottl(text, here, statement=False, context=context))
        problems.extend(
            _groups(body.get("metric_conditions"), f"{path}.metric_conditions", statements=False)
        )
    if kind == "transform":
        problems.extend(
            _groups(body.get("metric_statements"), f"{path}.metric_statements", statements=True)
        )
    return problems


def _groups(raw: Any, path: str, *, statements: bool) -> list[Problem]:
    try:
        groups = parse_groups(raw, path, statements=statements)
    except ValueError as exc:
        where, _, message = str(exc).partition(": ")
        return [Problem(where if where.startswith(path) else path, message or str(exc))]
    problems = []
    for gi, group in enumerate(groups):
        for node in (*group.conditions, *group.statements):
            problems.extend(
                _functions(node, f"{path}[{gi}]")
                or _in_context(node, group.context, f"{path}[{gi}]")
            )
    return problems


def _ottl(text: Any, path: str, *, statement: bool, context: str) -> list[Problem]:
    if not isinstance(text, str):
        return [Problem(path, "must be a string")]
    try:
        node = parse_statement(text) if statement else parse_condition(text)
    except ValueError as exc:
        return [Problem(path, f"invalid OTTL: {exc}")]
    return _functions(node, path) or _in_context(node, context, path)


def _in_context(node: Any, context: str, path: str) -> list[Problem]:
    """Paths, enums, arities and editor contexts, checked by compiling for the context.

    What only Phoenix's evaluator lacks is not a problem of the config: the real collector
    may well run it (the evaluator says so itself when asked to run it).
    """
    try:
        if isinstance(node, ast.Statement):
            ottl.statement(node, context)
        else:
            ottl.condition(node, context)
    except ottl.OttlCompileError as exc:
        message = str(exc)
        if (
            "not supported by Phoenix's evaluator" in message
            or "Phoenix's evaluator supports" in message
        ):
            return []
        return [Problem(path, f"invalid OTTL: {message}")]
    return []


def _functions(node: Any, path: str) -> list[Problem]:
    return [
        Problem(path, f"unknown OTTL function {call.name}")
        for call in ast.calls_in(node)
        if call.name not in OTTL_FUNCTIONS
    ]


def _service(config: dict[str, Any]) -> list[Problem]:
    service = config.get("service")
    if not isinstance(service, dict):
        return [Problem("service", "missing: a config needs service.pipelines")]
    problems = [
        Problem(f"service.{k}", "unknown key")
        for k in service
        if k not in ("pipelines", "extensions", "telemetry")
    ]
    for index, ext in enumerate(service.get("extensions") or []):
        if ext not in (config.get("extensions") or {}):
            problems.append(
                Problem(
                    f"service.extensions[{index}]",
                    f"references extension {ext!r}, which is not configured",
                )
            )
    pipelines = service.get("pipelines")
    if not isinstance(pipelines, dict) or not pipelines:
        return [*problems, Problem("service.pipelines", "at least one pipeline is required")]
    for name, pipeline in pipelines.items():
        path = f"service.pipelines.{name}"
        if str(name).split("/", 1)[0] not in ("metrics", "traces", "logs", "profiles"):
            problems.append(Problem(path, "a pipeline is metrics, traces, logs or profiles[/name]"))
        pipeline = pipeline or {}
        for key in pipeline:
            if key not in ("receivers", "processors", "exporters"):
                problems.append(Problem(f"{path}.{key}", "unknown key"))
        for part in ("receivers", "processors", "exporters"):
            ids = pipeline.get(part) or []
            if part != "processors" and not ids:
                problems.append(Problem(f"{path}.{part}", f"must have at least one of {part}"))
            # A connector is both: an exporter of one pipeline, a receiver of another.
            known = {
                **(config.get(part) or {}),
                **(config.get("connectors") or {} if part != "processors" else {}),
            }
            for index, component in enumerate(ids):
                if component not in known:
                    problems.append(
                        Problem(
                            f"{path}.{part}[{index}]",
                            f"references {part[:-1]} {component!r}, which is not configured",
                        )
                    )
            if part == "processors" and len(set(ids)) != len(ids):
                problems.append(
                    Problem(f"{path}.processors", "a processor may appear only once in a pipeline")
                )
    return problems
