"""The resource processor (resource attributes) and the attributes processor (point attributes)."""

from __future__ import annotations

from typing import Any

from domain.telemetry.model import Batch
from pipelines.processors.attraction import parse_actions
from pipelines.processors.base import ProcessorError, name_matcher


class ResourceProcessor:
    def __init__(self, component: str, config: dict[str, Any]) -> None:
        unknown = set(config) - {"attributes"}
        if unknown:
            raise ProcessorError(f"{component}: has invalid keys: {', '.join(sorted(unknown))}")
        self.actions = parse_actions(config.get("attributes"), f"{component}.attributes")

    def process(self, batch: Batch) -> Batch:
        for rm in batch:
            attrs = dict(rm.resource)
            for action in self.actions:
                action.apply(attrs)
            rm.resource = tuple(sorted(attrs.items()))
        return batch


class AttributesProcessor:
    """On metrics the actions change point attributes only, never the resource's."""

    def __init__(self, component: str, config: dict[str, Any]) -> None:
        unknown = set(config) - {"actions", "include", "exclude"}
        if unknown:
            raise ProcessorError(f"{component}: has invalid keys: {', '.join(sorted(unknown))}")
        self.actions = parse_actions(config.get("actions"), f"{component}.actions")
        self.include = _names(config.get("include"), f"{component}.include")
        self.exclude = _names(config.get("exclude"), f"{component}.exclude")

    def process(self, batch: Batch) -> Batch:
        for rm in batch:
            for metric in rm.metrics:
                if self.include is not None and not self.include(metric.name):
                    continue
                if self.exclude is not None and self.exclude(metric.name):
                    continue
                for point in metric.points:
                    attrs = dict(point.attributes)
                    for action in self.actions:
                        action.apply(attrs)
                    point.attributes = tuple(sorted(attrs.items()))
        return batch


def _names(raw: Any, where: str) -> Any:
    if raw is None:
        return None
    unknown = set(raw) - {"match_type", "metric_names"}
    if unknown:
        raise ProcessorError(
            f"{where}: for metrics only match_type and metric_names are supported; invalid: {', '.join(sorted(unknown))}"
        )
    return name_matcher(raw.get("metric_names") or [], raw.get("match_type"), where)
