"""The resource processor: actions on the resource's attributes (for process metrics, its identity)."""

from __future__ import annotations

from typing import Any

from domain.telemetry.model import Batch
from pipelines.problems import Problem
from pipelines.processors.attraction import parse_actions
from pipelines.processors.base import ProcessorKind, refuse_unknown

KEYS = {"attributes": "list"}


class ResourceProcessor:
    def __init__(self, component: str, config: dict[str, Any]) -> None:
        refuse_unknown(config, KEYS, component)
        self.actions = parse_actions(config.get("attributes"), f"{component}.attributes")

    def process(self, batch: Batch) -> Batch:
        for rm in batch:
            attrs = dict(rm.resource)
            for action in self.actions:
                action.apply(attrs)
            rm.resource = tuple(sorted(attrs.items()))
        return batch


def check(body: dict[str, Any], path: str) -> list[Problem]:
    if not body.get("attributes"):
        return [Problem(f"{path}.attributes", "missing required field")]
    return []


KIND = ProcessorKind(
    names=("resource",),
    keys=KEYS,
    check=check,
    build=lambda component, config, _: ResourceProcessor(component, config),
)
