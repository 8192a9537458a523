"""Validate a collector config: structure, references, keys, and every OTTL statement."""

from __future__ import annotations

import re
from typing import Any

import yaml

from pipelines import yaml_text
from pipelines.problems import Problem
from pipelines.processors import KINDS
from pipelines.schemas import SECTIONS

__all__ = ["ConfigInvalid", "Problem", "validate", "validate_text"]

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


class ConfigInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def validate_text(text: str) -> dict[str, Any]:
    """The parsed config; raises ConfigInvalid listing every problem found."""
    try:
        config = yaml_text.load(text)
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
                problems.extend(KINDS[kind].check(body or {}, path))
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
