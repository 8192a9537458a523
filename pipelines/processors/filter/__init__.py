"""The filter processor: what matches is DROPPED; empty metrics and resources go with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.telemetry.model import Batch
from pipelines.ottl import compile as ottl
from pipelines.ottl.checks import check_groups, check_ottl
from pipelines.ottl.context import DATAPOINT, METRIC, RESOURCE, SCOPE, Target
from pipelines.ottl.groups import parse_groups, parsed
from pipelines.ottl.parser import parse_condition
from pipelines.problems import Problem
from pipelines.processors.base import (
    ProcessorError,
    ProcessorKind,
    check_error_mode,
    error_mode,
    guarded,
    name_matcher,
    refuse_unknown,
)

Check = Callable[[Target], Any]
NAME_MATCH = {
    "match_type": "str",
    "metric_names": "list",
    "resource_attributes": "list",
    "expressions": "list",
    "regexp": "map",
}
LEGACY = {
    "resource": "list",
    "metric": "list",
    "datapoint": "list",
    "include": NAME_MATCH,
    "exclude": NAME_MATCH,
}
KEYS = {"error_mode": "str", "metrics": LEGACY, "metric_conditions": "list"}


class NameMatch:
    """The oldest style: include/exclude by metric name, strict or regexp."""

    def __init__(self, where: str, config: dict[str, Any]) -> None:
        refuse_unknown(config, NAME_MATCH, where)
        self.match_type = config.get("match_type")
        if self.match_type not in ("strict", "regexp"):
            raise ProcessorError(
                f"{where}.match_type: Phoenix's evaluator supports strict and regexp, not {self.match_type!r}"
            )
        if config.get("expressions") or config.get("resource_attributes"):
            raise ProcessorError(
                f"{where}: expressions and resource_attributes are not supported by Phoenix's evaluator"
            )
        self.matches = name_matcher(config.get("metric_names") or [], self.match_type, where)


class FilterProcessor:
    def __init__(self, component: str, config: dict[str, Any]) -> None:
        mode = error_mode(config, component)
        legacy = config.get("metrics") or {}
        new_style = config.get("metric_conditions")
        if new_style is not None and legacy:
            raise ProcessorError(f"{component}: metric_conditions cannot be combined with metrics")
        refuse_unknown(legacy, LEGACY, f"{component}.metrics")
        if (legacy.keys() & {"include", "exclude"}) and (
            legacy.keys() & {"resource", "metric", "datapoint"}
        ):
            raise ProcessorError(
                f"{component}.metrics: include/exclude cannot be combined with resource, metric or datapoint conditions"
            )
        self.include = (
            NameMatch(f"{component}.metrics.include", legacy["include"])
            if "include" in legacy
            else None
        )
        self.exclude = (
            NameMatch(f"{component}.metrics.exclude", legacy["exclude"])
            if "exclude" in legacy
            else None
        )
        self.checks: dict[str, list[Check]] = {RESOURCE: [], METRIC: [], DATAPOINT: []}
        # Metric and datapoint conditions that read only the resource give one answer for all of
        # a resource's items: they are evaluated once per resource (same result, far less work).
        self.per_resource: dict[str, list[Check]] = {METRIC: [], DATAPOINT: []}

        def add(context: str, node: Any, mode_: str, where: str) -> None:
            check = guarded(mode_, where, ottl.condition(node, context))
            if context in self.per_resource and ottl.reads_only_resource(node, context):
                self.per_resource[context].append(check)
            else:
                self.checks[context].append(check)

        try:
            for context in (RESOURCE, METRIC, DATAPOINT):
                for index, text in enumerate(legacy.get(context) or []):
                    where = f"{component}.metrics.{context}[{index}]"
                    add(context, parsed(parse_condition, text, where), mode, where)
            groups = parse_groups(new_style, f"{component}.metric_conditions", statements=False)
            for index, group in enumerate(groups):
                where = f"{component}.metric_conditions[{index}]"
                context = RESOURCE if group.context == SCOPE else group.context
                for condition in group.conditions:
                    add(context, condition, group.error_mode or mode, where)
        except ottl.OttlCompileError as exc:
            raise ProcessorError(f"{component}: {exc}") from None
        except ValueError as exc:
            raise ProcessorError(str(exc)) from None

    def process(self, batch: Batch) -> Batch:
        resource_checks, metric_checks, point_checks = (
            self.checks[c] for c in (RESOURCE, METRIC, DATAPOINT)
        )
        kept_resources = []
        for rm in batch:
            target = Target(RESOURCE, rm, dict(rm.resource))
            if any(check(target) for check in resource_checks):
                continue
            target.kind = METRIC
            if any(check(target) for check in self.per_resource[METRIC]):
                continue  # every metric of this resource matches: all dropped
            target.kind = DATAPOINT
            if any(check(target) for check in self.per_resource[DATAPOINT]):
                continue  # every point of this resource matches: all dropped
            kept_metrics = []
            for metric in rm.metrics:
                if self.include is not None and not self.include.matches(metric.name):
                    continue
                if self.exclude is not None and self.exclude.matches(metric.name):
                    continue
                target.kind, target.metric = METRIC, metric
                if any(check(target) for check in metric_checks):
                    continue
                if point_checks:
                    target.kind = DATAPOINT
                    points = []
                    for point in metric.points:
                        target.point = point
                        if not any(check(target) for check in point_checks):
                            points.append(point)
                        target.flush_point()
                    metric.points = points
                if metric.points:
                    kept_metrics.append(metric)
            if kept_metrics:
                rm.metrics = kept_metrics
                kept_resources.append(rm)
        return kept_resources


def check(body: dict[str, Any], path: str) -> list[Problem]:
    """The collector's rules: one style of conditions, each valid OTTL for its context."""
    problems = check_error_mode(body, path)
    metrics = body.get("metrics") or {}
    if body.get("metric_conditions") is not None and metrics:
        problems.append(Problem(path, "metric_conditions cannot be combined with metrics"))
    for context in ("resource", "metric", "datapoint"):
        for index, text in enumerate(metrics.get(context) or []):
            here = f"{path}.metrics.{context}[{index}]"
            problems.extend(check_ottl(text, here, statement=False, context=context))
    problems.extend(
        check_groups(body.get("metric_conditions"), f"{path}.metric_conditions", statements=False)
    )
    return problems


KIND = ProcessorKind(
    names=("filter",),
    keys=KEYS,
    check=check,
    build=lambda component, config, _: FilterProcessor(component, config),
)
