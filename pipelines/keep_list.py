"""A keep-list that does not flap: the top k processes of each window, and each kept on for a
retention period after it falls out of the top k.

Without it, a process near the k-th place enters and leaves the list window after window, and
every change is a new series set downstream (dashboards gap, alerts reset). The flap rate is
how much of the list changes per window: changes (entries plus exits) over k.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.telemetry.model import Batch, resource_value


def cpu_ranking(batches: Iterable[Batch]) -> list[tuple[str, float]]:
    """Command lines by the CPU seconds their processes used over the batches, most first
    (a command line, not an executable name: it picks out one service, and survives restarts).
    """
    first: dict[object, float] = {}
    last: dict[object, float] = {}
    lines: dict[object, str] = {}
    for batch in batches:
        for rm in batch:
            line = resource_value(rm.resource, "process.command_line")
            if not isinstance(line, str):
                continue
            for metric in rm.metrics:
                if metric.name == "process.cpu.time":
                    total = sum(p.value for p in metric.points)
                    first.setdefault(rm.resource, total)
                    last[rm.resource] = total
                    lines[rm.resource] = line
    used: dict[str, float] = defaultdict(float)
    for resource, total in last.items():
        used[lines[resource]] += total - first[resource]
    return sorted(used.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class KeepLists:
    """The keep-list of each window, and how much it changed from one window to the next."""

    lists: tuple[frozenset[str], ...]
    k: int

    @property
    def final(self) -> frozenset[str]:
        return self.lists[-1] if self.lists else frozenset()

    @property
    def changes(self) -> int:
        return sum(len(a ^ b) for a, b in zip(self.lists, self.lists[1:], strict=False))

    @property
    def flap_rate(self) -> float:
        """Entries and exits per window change, as a fraction of k (0: the list never moved)."""
        transitions = len(self.lists) - 1
        return self.changes / (transitions * self.k) if transitions > 0 and self.k else 0.0


def keep_lists(rankings: Sequence[Sequence[str]], k: int, *, retain: int = 0) -> KeepLists:
    """Each window's keep-list from each window's ranking (most first): its top ``k``, plus
    whatever was in a top ``k`` within the last ``retain`` windows (0: no hysteresis).
    """
    if k < 1 or retain < 0:
        raise ValueError("k must be at least 1 and retain at least 0")
    last_top: dict[str, int] = {}
    lists = []
    for window, ranking in enumerate(rankings):
        for line in ranking[:k]:
            last_top[line] = window
        lists.append(frozenset(p for p, seen in last_top.items() if window - seen <= retain))
    return KeepLists(tuple(lists), k)
