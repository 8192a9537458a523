"""The transform processor: OTTL statements per context, in order; nothing is merged or removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.telemetry.model import Batch
from pipelines.ottl import compile as ottl
from pipelines.ottl.checks import check_groups
from pipelines.ottl.context import DATAPOINT, METRIC, RESOURCE, SCOPE, Target
from pipelines.ottl.groups import parse_groups
from pipelines.problems import Problem
from pipelines.processors.base import (
    ProcessorError,
    ProcessorKind,
    check_error_mode,
    error_mode,
    guarded,
)

Run = Callable[[Target], Any]


def _run(target: Target, conditions: list[Run], statements: list[Run]) -> None:
    # A group's conditions are ORed and gate all its statements.
    if conditions and not any(c(target) for c in conditions):
        return
    for statement in statements:
        statement(target)


class TransformProcessor:
    def __init__(self, component: str, config: dict[str, Any]) -> None:
        mode = error_mode(config, component)
        try:
            groups = parse_groups(
                config.get("metric_statements"), f"{component}.metric_statements", statements=True
            )
        except ValueError as exc:
            raise ProcessorError(str(exc)) from None
        self.groups: list[
            tuple[str, list[Run], list[Run], bool, list[ottl.PointKernel] | None]
        ] = []
        for index, group in enumerate(groups):
            where = f"{component}.metric_statements[{index}]"
            group_mode = group.error_mode or mode
            try:
                conditions = [
                    guarded(group_mode, where, ottl.condition(c, group.context))
                    for c in group.conditions
                ]
                statements = [
                    guarded(group_mode, where, ottl.statement(s, group.context))
                    for s in group.statements
                ]
            except ottl.OttlCompileError as exc:
                raise ProcessorError(f"{where}: {exc}") from None
            # Conditions that read only the resource gate a whole resource at once.
            # Not when a statement writes resource attributes the conditions might read.
            hoisted = (
                group.context in (METRIC, DATAPOINT)
                and bool(group.conditions)
                and all(ottl.reads_only_resource(c, group.context) for c in group.conditions)
                and not any(ottl.writes_resource(s, group.context) for s in group.statements)
            )
            # Statements that need only a metric's points run over all of them in one loop each,
            # when nothing is left to decide per point.
            kernels = [ottl.point_kernel(s, group.context) for s in group.statements]
            whole = [k for k in kernels if k is not None]
            at_once = whole if len(whole) == len(kernels) and (hoisted or not conditions) else None
            self.groups.append((group.context, conditions, statements, hoisted, at_once))

    def process(self, batch: Batch) -> Batch:
        for context, gates, statements, hoisted, at_once in self.groups:
            for rm in batch:
                target = Target(context, rm, dict(rm.resource))
                conditions = gates
                if hoisted:
                    if not any(c(target) for c in gates):
                        continue
                    conditions = []
                if context in (RESOURCE, SCOPE):
                    _run(target, conditions, statements)
                elif context == METRIC:
                    for metric in rm.metrics:
                        target.metric = metric
                        _run(target, conditions, statements)
                elif at_once is not None:
                    for metric in rm.metrics:
                        for kernel in at_once:
                            kernel(metric.points)
                elif context == DATAPOINT:
                    for metric in rm.metrics:
                        target.metric = metric
                        for point in metric.points:
                            target.point = point
                            _run(target, conditions, statements)
                            target.flush_point()
                rm.resource = tuple(sorted(target.resource_attrs.items()))
        return batch


KEYS = {
    "error_mode": "str",
    "metric_statements": "list",
    "trace_statements": "list",
    "log_statements": "list",
}


def check(body: dict[str, Any], path: str) -> list[Problem]:
    """Every metric statement valid OTTL for its context, and a known error_mode."""
    return check_error_mode(body, path) + check_groups(
        body.get("metric_statements"), f"{path}.metric_statements", statements=True
    )


KIND = ProcessorKind(
    names=("transform",),
    keys=KEYS,
    check=check,
    build=lambda component, config, _: TransformProcessor(component, config),
)
