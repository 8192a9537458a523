"""Closed measurement intervals in memory, for unit tests: merged as PostgreSQL merges them."""

from __future__ import annotations

from uuid import UUID

from adapters.measured_intervals import Interval, Key


class InMemoryIntervals:
    def __init__(self) -> None:
        self._stored: dict[Key, Interval] = {}

    async def merge(self, intervals: dict[Key, Interval]) -> None:
        for key, interval in intervals.items():
            self._stored.setdefault(key, Interval()).merge(interval)

    async def load(self, experiment_id: UUID, variant: str) -> dict[int, Interval]:
        found: dict[int, Interval] = {}
        for (xid, name, index), interval in self._stored.items():
            if (xid, name) == (experiment_id, variant):
                found[index] = Interval(
                    set(interval.series), interval.datapoints, set(interval.critical)
                )
        return found
