"""groupbyattrs: move point attributes to the resource and regroup; it never sums."""

from __future__ import annotations

from typing import Any

from domain.telemetry.model import Attributes, Batch, Metric, ResourceMetrics
from pipelines.processors.base import ProcessorError, ProcessorKind, refuse_unknown

KEYS = {"keys": "list"}


class GroupByAttrsProcessor:
    def __init__(self, component: str, config: dict[str, Any]) -> None:
        refuse_unknown(config, KEYS, component)
        keys = config.get("keys") or []
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ProcessorError(f"{component}.keys: must be a list of strings")
        self.keys = tuple(dict.fromkeys(k for k in keys if k))

    def process(self, batch: Batch) -> Batch:
        resources: dict[tuple[Attributes, str], ResourceMetrics] = {}
        metrics: dict[tuple[Attributes, str, str, str], Metric] = {}
        keys = self.keys
        for rm in batch:
            for metric in rm.metrics:
                for point in metric.points:
                    resource = rm.resource
                    if keys:
                        moved = {k: v for k, v in point.attributes if k in keys}
                        if moved:
                            point.attributes = tuple(
                                a for a in point.attributes if a[0] not in moved
                            )
                            resource = tuple(sorted({**dict(resource), **moved}.items()))
                    target = resources.get((resource, rm.scope))
                    if target is None:
                        target = resources[(resource, rm.scope)] = ResourceMetrics(
                            resource, [], rm.scope
                        )
                    # Metrics are matched by name and type only; the first one's unit etc. win.
                    key = (resource, rm.scope, metric.name, metric.type.value)
                    into = metrics.get(key)
                    if into is None:
                        into = metrics[key] = metric.empty_like()
                        target.metrics.append(into)
                    into.points.append(point)
        return list(resources.values())


KIND = ProcessorKind(
    names=("groupbyattrs",),
    keys=KEYS,
    build=lambda component, config, _: GroupByAttrsProcessor(component, config),
)
