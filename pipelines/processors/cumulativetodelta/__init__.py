"""cumulativetodelta: monotonic cumulative sums become deltas; it keeps state across batches."""

from __future__ import annotations

import math
from typing import Any

from domain.telemetry.model import Batch, MetricType, Temporality
from pipelines.problems import Problem
from pipelines.processors.base import ProcessorError, ProcessorKind, name_matcher, refuse_unknown

KEYS = {
    "include": {"metrics": "list", "match_type": "str"},
    "exclude": {"metrics": "list", "match_type": "str"},
    "max_staleness": "str",
    "initial_value": "str",
}


class CumulativeToDeltaProcessor:
    def __init__(self, component: str, config: dict[str, Any], *, started_at: int) -> None:
        refuse_unknown(config, KEYS, component)
        self.initial = config.get("initial_value", "auto")
        if problems := check(config, component):
            raise ProcessorError(str(problems[0]))
        self.include = _matcher(config.get("include"), f"{component}.include")
        self.exclude = _matcher(config.get("exclude"), f"{component}.exclude")
        self.started_at = started_at
        self.previous: dict[tuple[Any, ...], tuple[float, int]] = {}

    def process(self, batch: Batch) -> Batch:
        kept_resources = []
        for rm in batch:
            kept_metrics = []
            for metric in rm.metrics:
                convertible = (
                    metric.type is MetricType.SUM
                    and metric.monotonic
                    and metric.temporality is Temporality.CUMULATIVE
                )
                if convertible and self.include is not None and not self.include(metric.name):
                    convertible = False
                if convertible and self.exclude is not None and self.exclude(metric.name):
                    convertible = False
                if not convertible:
                    kept_metrics.append(metric)
                    continue
                points = []
                for point in metric.points:
                    if math.isnan(point.value):
                        points.append(point)  # the collector passes NaN through unconverted
                        continue
                    key = (
                        rm.resource,
                        rm.scope,
                        metric.name,
                        metric.unit,
                        point.attributes,
                        point.start_time_unix_nano,
                    )
                    before = self.previous.get(key)
                    self.previous[key] = (point.value, point.time_unix_nano)
                    if before is None:
                        keep = self.initial == "keep" or (
                            self.initial == "auto"
                            and point.start_time_unix_nano >= self.started_at
                            and point.start_time_unix_nano != point.time_unix_nano
                        )
                        if keep:
                            points.append(point)
                        continue
                    value, at = before
                    if point.value < value:
                        continue  # a reset: the point is dropped
                    point.value, point.start_time_unix_nano = point.value - value, at
                    points.append(point)
                metric.temporality = Temporality.DELTA
                metric.points = points
                if points:
                    kept_metrics.append(metric)
            if kept_metrics:
                rm.metrics = kept_metrics
                kept_resources.append(rm)
        return kept_resources


def _matcher(raw: Any, where: str) -> Any:
    if raw is None:
        return None
    if not raw.get("metrics") or not raw.get("match_type"):
        raise ProcessorError(f"{where}: needs both metrics and match_type (strict or regexp)")
    return name_matcher(raw["metrics"], raw["match_type"], where)


def check(body: dict[str, Any], path: str) -> list[Problem]:
    if body.get("initial_value", "auto") not in ("auto", "keep", "drop"):
        return [Problem(f"{path}.initial_value", "must be auto, keep or drop")]
    return []


KIND = ProcessorKind(
    names=("cumulativetodelta", "cumulative_to_delta"),
    keys=KEYS,
    check=check,
    build=lambda component, config, started_at: CumulativeToDeltaProcessor(
        component, config, started_at=started_at
    ),
)
