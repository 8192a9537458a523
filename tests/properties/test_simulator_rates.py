"""The simulator's profiles keep their rates over long simulated runs (an hour of a fleet)."""

from __future__ import annotations

from simulator.fleet import Fleet


def test_realistic_replaces_about_a_tenth_of_its_processes_an_hour() -> None:
    fleet = Fleet("realistic", 5, seed=1)
    first = {p.resource for p in fleet.alive()}
    list(fleet.run(duration_s=3600, interval_s=60))
    last = {p.resource for p in fleet.alive()}
    assert 0.05 <= len(last - first) / len(last) <= 0.2
