"""The attributes processor: actions on point attributes (never the resource's), by metric name."""

from __future__ import annotations

from typing import Any

from domain.telemetry.model import Batch
from pipelines.processors.attraction import parse_actions
from pipelines.processors.base import ProcessorError, ProcessorKind, name_matcher, refuse_unknown

KEYS = {"actions": "list", "include": "map", "exclude": "map"}


class AttributesProcessor:
    """On metrics the actions change point attributes only, never the resource's."""

    def __init__(self, component: str, config: dict[str, Any]) -> None:
        refuse_unknown(config, KEYS, component)
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


KIND = ProcessorKind(
    names=("attributes",),
    keys=KEYS,
    build=lambda component, config, _: AttributesProcessor(component, config),
)
