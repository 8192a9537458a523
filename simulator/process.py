"""A simulated process: identity as the process scraper reports it, and its running counters."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from domain.telemetry.model import Attributes, AttrValue, attributes
from simulator.catalog import Archetype

NANOS = 1_000_000_000
MIB = 1024 * 1024


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


@dataclass(slots=True)
class SimProcess:
    pid: int
    ppid: int
    host: str
    archetype: Archetype
    command_line: str
    started_at: int  # unix nanos
    ends_at: int | None  # unix nanos; None: lives throughout
    cpu_cores: float
    memory_bytes: float
    disk_bytes_s: float
    threads: int
    fds: int
    resource: Attributes = ()
    # Cumulative counters since the process started.
    cpu_user: float = 0.0
    cpu_system: float = 0.0
    cpu_wait: float = 0.0
    disk_read: float = 0.0
    disk_write: float = 0.0
    disk_ops_read: float = 0.0
    disk_ops_write: float = 0.0
    ctx_voluntary: float = 0.0
    ctx_involuntary: float = 0.0
    faults_minor: float = 0.0
    faults_major: float = 0.0
    last_cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    spike_until: int = 0
    leak_per_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def executable_name(self) -> str:
        return self.archetype.name

    def identify(self) -> None:
        a = self.archetype
        command = a.path if not self.command_line else self.command_line.split(" ", 1)[0]
        identity: dict[str, AttrValue] = {
            "host.name": self.host,
            "process.pid": self.pid,
            "process.parent_pid": self.ppid,
            "process.executable.name": a.name,
            "process.executable.path": a.path,
            "process.command": command,
            "process.command_line": self.command_line,
            "process.owner": a.owner,
        }
        self.resource = attributes(identity)

    def advance(self, seconds: float, rng: random.Random, now: int) -> None:
        """Run for ``seconds``: CPU, disk and faults accumulate; memory drifts (or leaks)."""
        if seconds <= 0:
            return
        burst = 20.0 if now < self.spike_until else 1.0
        cores = self.cpu_cores * burst * max(0.05, rng.gauss(1.0, 0.25))
        busy = cores * seconds
        user, system, wait = busy * 0.7, busy * 0.25, busy * 0.05
        self.cpu_user += user
        self.cpu_system += system
        self.cpu_wait += wait
        self.last_cpu = (user / seconds, system / seconds, wait / seconds)
        io = self.disk_bytes_s * seconds * max(0.0, rng.gauss(1.0, 0.5))
        self.disk_read += io * 0.6
        self.disk_write += io * 0.4
        self.disk_ops_read += io * 0.6 / 4096
        self.disk_ops_write += io * 0.4 / 4096
        self.ctx_voluntary += seconds * (5 + 500 * cores)
        self.ctx_involuntary += seconds * (1 + 50 * cores)
        self.faults_minor += seconds * (2 + 200 * cores)
        self.faults_major += seconds * 0.01
        self.memory_bytes = max(
            MIB, self.memory_bytes * rng.gauss(1.0, 0.01) + self.leak_per_s * seconds
        )
