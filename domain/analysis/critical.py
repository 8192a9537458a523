"""Is this process critical? Its executable name matched by the experiment's patterns (RE2, as the
collector matches them); a critical process is known by its full identity, every resource attribute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import re2

from domain.telemetry.model import Attributes, resource_value

EXECUTABLE = "process.executable.name"


class CriticalProcesses:
    """The experiment's patterns, compiled once."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled = [re2.compile(p) for p in self.patterns]

    def __call__(self, resource: Attributes) -> bool:
        name = resource_value(resource, EXECUTABLE)
        return isinstance(name, str) and any(p.search(name) for p in self._compiled)

    def among(self, resources: Iterable[Attributes]) -> set[Attributes]:
        return {r for r in resources if self(r)}


@lru_cache(maxsize=256)
def critical_processes(patterns: tuple[str, ...]) -> CriticalProcesses:
    """The matcher for ``patterns``, shared by everyone who asks for the same ones."""
    return CriticalProcesses(patterns)


def describe_processes(processes: Iterable[Attributes]) -> str:
    """Processes by name and count, with one example's pid and host."""
    found = set(processes)
    names = Counter(str(resource_value(r, EXECUTABLE)) for r in found)
    listed = ", ".join(f"{name} x{count}" for name, count in sorted(names.items()))
    example = min(found)
    host = resource_value(example, "host.name")
    pid = resource_value(example, "process.pid")
    where = f" (e.g. pid {pid} on {host})" if host is not None and pid is not None else ""
    return f"{listed}{where}"
