"""The telemetry an OTTL expression sees: one resource, and perhaps one metric and one point."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.telemetry.model import DataPoint, Metric, ResourceMetrics

RESOURCE, SCOPE, METRIC, DATAPOINT = "resource", "scope", "metric", "datapoint"
CONTEXTS = (RESOURCE, SCOPE, METRIC, DATAPOINT)


@dataclass
class Target:
    """Mutable views over the items being evaluated; written back when the group is done."""

    kind: str
    resource: ResourceMetrics
    resource_attrs: dict[str, Any]
    metric: Metric | None = None
    point: DataPoint | None = None
    _point_attrs: dict[str, Any] | None = field(default=None, repr=False)
    point_attrs_dirty: bool = False

    @property
    def point_attrs(self) -> dict[str, Any]:
        if self._point_attrs is None:
            assert self.point is not None
            self._point_attrs = dict(self.point.attributes)
        return self._point_attrs

    def touch_point_attrs(self) -> dict[str, Any]:
        self.point_attrs_dirty = True
        return self.point_attrs

    def flush_point(self) -> None:
        if self.point is not None and self.point_attrs_dirty and self._point_attrs is not None:
            self.point.attributes = tuple(sorted(self._point_attrs.items()))
        self._point_attrs = None
        self.point_attrs_dirty = False
