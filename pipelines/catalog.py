"""The template catalog: names, descriptions, variables and measured reductions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from pipelines import yaml_text


@dataclass(frozen=True)
class Variable:
    """A template variable: its default, its type and bounds, and whether Phoenix sets it."""

    name: str
    default: Any
    description: str
    kind: str = "any"
    bounds: dict[str, Any] = field(default_factory=dict)
    wiring: bool = False


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    variables: tuple[Variable, ...]
    expected_reduction: dict[str, tuple[float, float]]

    def defaults(self) -> dict[str, Any]:
        return {v.name: v.default for v in self.variables}

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)


_NOT_BOUNDS = {"default", "description", "type", "wiring"}


def _variables(raw: dict[str, Any]) -> tuple[Variable, ...]:
    return tuple(
        Variable(
            name,
            spec.get("default"),
            spec.get("description", ""),
            kind=spec.get("type", "any"),
            bounds={k: v for k, v in spec.items() if k not in _NOT_BOUNDS},
            wiring=bool(spec.get("wiring", False)),
        )
        for name, spec in raw.items()
    )


@cache
def catalog() -> dict[str, Template]:
    raw = yaml_text.load(files("pipelines.templates").joinpath("catalog.yaml").read_text())
    common = _variables(raw["common"])
    return {
        name: Template(
            name,
            spec["description"],
            common + _variables(spec.get("variables") or {}),
            {
                k: (float(v[0]), float(v[1]))
                for k, v in (spec.get("expected_reduction") or {}).items()
            },
        )
        for name, spec in raw["templates"].items()
    }


def template(name: str) -> Template:
    try:
        return catalog()[name]
    except KeyError:
        raise ValueError(f"unknown template {name!r}; known: {', '.join(catalog())}") from None


def wiring_defaults() -> dict[str, Any]:
    """The defaults of the variables Phoenix sets (where to export, where to answer health checks)."""
    any_template = next(iter(catalog().values()))
    return {v.name: v.default for v in any_template.variables if v.wiring}
