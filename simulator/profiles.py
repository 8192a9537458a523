"""Load profiles: realistic, high-cardinality, high-churn and chaos."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    # Long-lived but mortal application processes a host carries besides its services.
    runtimes: tuple[int, int] = (30, 90)
    # Fraction of those replaced per hour; with the short jobs, about 10 % churn an hour.
    churn_per_hour: float = 0.06
    # Short jobs (scripts, backups, probes) started per hour per host.
    jobs_per_hour: float = 3.0
    idle_workers: tuple[int, int] = (0, 0)
    flash_per_second: tuple[int, int] = (0, 0)
    # PostgreSQL connection backends forked per second by each postmaster (short-lived).
    backends_per_second: float = 0.0
    chaos: bool = False


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "realistic",
            "System daemons, databases, web servers, runtimes and short jobs; heavy-tailed CPU and "
            "memory; about 10 % of processes replaced an hour; PostgreSQL forks a short-lived "
            "backend per connection, about one a second.",
            backends_per_second=1.0,
        ),
        Profile(
            "high-cardinality",
            "1,000 to 2,000 mostly idle workers per host, each with a unique command line.",
            runtimes=(5, 15),
            idle_workers=(1000, 2000),
        ),
        Profile(
            "high-churn",
            "20 to 30 short-lived processes started per second per host, so PIDs turn over.",
            runtimes=(20, 40),
            flash_per_second=(20, 30),
        ),
        Profile(
            "chaos",
            "Realistic, plus CPU spikes, memory leaks, and processes killed and restarted.",
            backends_per_second=1.0,
            chaos=True,
        ),
    )
}


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}") from None
