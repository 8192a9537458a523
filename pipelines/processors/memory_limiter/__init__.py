"""The memory_limiter processor: refuses data under memory pressure; what passes is unchanged."""

from __future__ import annotations

from typing import Any

from pipelines.problems import Problem
from pipelines.processors.base import ProcessorKind, keys_by_type, pass_through


def check(body: dict[str, Any], path: str) -> list[Problem]:
    """The collector refuses to start without an interval and a limit."""
    problems = []
    if not body.get("check_interval"):
        problems.append(Problem(f"{path}.check_interval", "required and must be greater than zero"))
    if not (body.get("limit_mib") or body.get("limit_percentage")):
        problems.append(Problem(path, "limit_mib or limit_percentage is required"))
    return problems


KIND = ProcessorKind(
    names=("memory_limiter",),
    keys=keys_by_type(
        str="check_interval min_gc_interval_when_soft_limited min_gc_interval_when_hard_limited",
        int="limit_mib spike_limit_mib limit_percentage spike_limit_percentage",
    ),
    check=check,
    build=pass_through,
)
