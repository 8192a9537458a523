"""What predictions run on before a candidate is deployed: simulated hosts of the realistic
profile, every role among them (databases, web servers, runtimes), scraped for a minute.
"""

from __future__ import annotations

from functools import cached_property

from domain.telemetry.model import Batch
from simulator.fleet import Fleet


class SimulatedSample:
    """Scrapes of a seeded simulated fleet, made once on first use and kept."""

    def __init__(
        self,
        profile: str = "realistic",
        *,
        hosts: int = 6,
        seconds: int = 60,
        interval_s: int = 10,
        seed: int = 1,
    ) -> None:
        self.profile, self.hosts, self.seconds, self.seed = profile, hosts, seconds, seed
        self.interval_s = interval_s
        self.interval_nanos = interval_s * 1_000_000_000

    @cached_property
    def _scrapes(self) -> list[tuple[int, list[Batch]]]:
        fleet = Fleet(self.profile, self.hosts, seed=self.seed)
        return list(fleet.run(duration_s=self.seconds, interval_s=self.interval_s))

    def scrapes(self) -> list[tuple[int, list[Batch]]]:
        return self._scrapes
