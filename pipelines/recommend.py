"""Derive a template's variables from observed telemetry: the keep-list of process-topk-v1."""

from __future__ import annotations

from collections.abc import Iterable

from domain.telemetry.model import Batch
from pipelines.keep_list import cpu_ranking


def top_by_cpu(batches: Iterable[Batch], k: int) -> list[str]:
    """The command lines of the ``k`` processes that used the most CPU over the batches.

    A command line, not an executable name: it picks out one heavy service (and survives its
    restarts), where a name would keep every process of a runtime (every java, every python3).
    """
    return [command_line for command_line, _ in cpu_ranking(batches)[:k]]
