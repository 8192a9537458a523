"""Derive a template's variables from observed telemetry: the keep-list of process-topk-v1."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from domain.telemetry.model import Attributes, Batch, resource_value


def top_by_cpu(batches: Iterable[Batch], k: int) -> list[str]:
    """The command lines of the ``k`` processes that used the most CPU over the batches.

    A command line, not an executable name: it picks out one heavy service (and survives its
    restarts), where a name would keep every process of a runtime (every java, every python3).
    """
    first: dict[Attributes, float] = {}
    last: dict[Attributes, float] = {}
    command_lines: dict[Attributes, str] = {}
    for batch in batches:
        for rm in batch:
            command_line = resource_value(rm.resource, "process.command_line")
            if not isinstance(command_line, str):
                continue
            for metric in rm.metrics:
                if metric.name == "process.cpu.time":
                    total = sum(p.value for p in metric.points)
                    first.setdefault(rm.resource, total)
                    last[rm.resource] = total
                    command_lines[rm.resource] = command_line
    used: dict[str, float] = defaultdict(float)
    for resource, total in last.items():
        used[command_lines[resource]] += total - first[resource]
    ranked = sorted(used.items(), key=lambda item: (-item[1], item[0]))
    return [command_line for command_line, _ in ranked[:k]]
