"""metricstransform, the subset Phoenix evaluates: update/insert with label operations."""

from __future__ import annotations

import copy
from typing import Any

from domain.telemetry.model import Batch, DataPoint, Metric
from pipelines.ottl.compile import combine
from pipelines.ottl.functions import regex
from pipelines.problems import Problem
from pipelines.processors.base import ProcessorError, ProcessorKind, refuse_unknown

KEYS = {"transforms": "list"}

OPERATIONS = {"aggregate_labels", "delete_label_value", "update_label", "add_label"}


class MetricsTransformProcessor:
    def __init__(self, component: str, config: dict[str, Any]) -> None:
        refuse_unknown(config, KEYS, component)
        self.transforms = []
        for i, t in enumerate(config.get("transforms") or []):
            where = f"{component}.transforms[{i}]"
            if not t.get("include"):
                raise ProcessorError(f"{where}.include: missing required field")
            action = t.get("action")
            if action not in ("update", "insert"):
                raise ProcessorError(
                    f"{where}.action: Phoenix's evaluator supports update and insert, not {action!r}"
                )
            if action == "insert" and not t.get("new_name"):
                raise ProcessorError(f"{where}.new_name: required when the action is insert")
            match_type = t.get("match_type", "strict")
            pattern = regex(t["include"]) if match_type == "regexp" else None
            operations = t.get("operations") or []
            for j, op in enumerate(operations):
                if op.get("action") not in OPERATIONS:
                    raise ProcessorError(
                        f"{where}.operations[{j}].action: Phoenix's evaluator supports {', '.join(sorted(OPERATIONS))}"
                    )
                if op["action"] == "aggregate_labels" and op.get("aggregation_type") not in (
                    "sum",
                    "mean",
                    "min",
                    "max",
                    "count",
                    "median",
                ):
                    raise ProcessorError(
                        f"{where}.operations[{j}].aggregation_type: must be sum, mean, min, max, count or median"
                    )
            self.transforms.append((t["include"], pattern, action, t.get("new_name"), operations))

    def process(self, batch: Batch) -> Batch:
        for rm in batch:
            added: list[Metric] = []
            for metric in rm.metrics:
                for include, pattern, action, new_name, operations in self.transforms:
                    # Unanchored, as the collector matches (FindStringSubmatchIndex).
                    matched = pattern.search(metric.name) if pattern else metric.name == include
                    if not matched:
                        continue
                    target = metric
                    if action == "insert":
                        target = copy.deepcopy(metric)
                        added.append(target)
                    if new_name:
                        target.name = new_name
                    for op in operations:
                        _operate(target, op)
            rm.metrics = [m for m in [*rm.metrics, *added] if m.points]
        return [rm for rm in batch if rm.metrics]


def _operate(metric: Metric, op: dict[str, Any]) -> None:
    action = op["action"]
    if action == "update_label":
        old, new = op.get("label"), op.get("new_label")
        for p in metric.points:
            p.attributes = tuple(
                sorted((new if k == old and new else k, v) for k, v in p.attributes)
            )
    elif action == "add_label":
        for p in metric.points:
            p.attributes = tuple(
                sorted({**dict(p.attributes), op["new_label"]: op["new_value"]}.items())
            )
    elif action == "delete_label_value":
        label, value = str(op.get("label")), op.get("label_value")
        metric.points = [p for p in metric.points if dict(p.attributes).get(label) != value]
    elif action == "aggregate_labels":
        keep = set(op.get("label_set") or [])
        groups: dict[tuple[Any, ...], list[DataPoint]] = {}
        for p in metric.points:
            attrs = tuple(a for a in p.attributes if a[0] in keep)
            groups.setdefault((attrs, p.time_unix_nano), []).append(p)
        metric.points = [
            DataPoint(
                attrs,
                combine(op["aggregation_type"], [p.value for p in ps], ps[0].is_int),
                min(p.start_time_unix_nano for p in ps),
                at,
                ps[0].is_int,
            )
            for (attrs, at), ps in groups.items()
        ]


def check(body: dict[str, Any], path: str) -> list[Problem]:
    """Each transform names the metric it applies to (the collector refuses it otherwise)."""
    problems = []
    for index, transform in enumerate(body.get("transforms") or []):
        where = f"{path}.transforms[{index}]"
        if not isinstance(transform, dict):
            problems.append(Problem(where, "must be a map"))
        elif not transform.get("include"):
            problems.append(Problem(f"{where}.include", "missing required field"))
    return problems


KIND = ProcessorKind(
    names=("metricstransform", "metrics_transform"),
    keys=KEYS,
    check=check,
    build=lambda component, config, _: MetricsTransformProcessor(component, config),
)
