"""Is this process critical? Its executable name matched by the experiment's patterns (RE2, as the
collector matches them); a critical process is known by what it keeps all its life: where it runs,
its pid and its name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import re2

from domain.telemetry.model import Attributes, resource_value

EXECUTABLE = "process.executable.name"
# The attributes that tell one process from another for as long as it lives. Not its command line:
# PostgreSQL rewrites its own for every statement (update_process_title), so two collectors reading
# a backend a moment apart see two command lines, and each would have "lost" the other's process.
# Nor what a pipeline may add (an environment, a host.id, a node name: one variant adding it would
# make every process another's) or fairly drop (its owner, its parent).
IDENTITY = frozenset({"host.name", "process.pid", EXECUTABLE})


def identity(resource: Attributes) -> Attributes:
    """A process as retention compares it: only its ``IDENTITY`` attributes."""
    return tuple(a for a in resource if a[0] in IDENTITY)


class CriticalProcesses:
    """The experiment's patterns, compiled once."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled = [re2.compile(p) for p in self.patterns]

    def __call__(self, resource: Attributes) -> bool:
        name = resource_value(resource, EXECUTABLE)
        return isinstance(name, str) and any(p.search(name) for p in self._compiled)

    def among(self, resources: Iterable[Attributes]) -> set[Attributes]:
        """The critical processes among ``resources``, each by its ``identity``."""
        return {identity(r) for r in resources if self(r)}


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
