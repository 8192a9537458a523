"""Closed measurement intervals in memory, for unit tests: merged as PostgreSQL merges them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from adapters.measured_intervals import Interval, Key, StoredInterval, as_array


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

    async def each(self, experiment_id: UUID, variant: str) -> AsyncIterator[StoredInterval]:
        for index, interval in sorted((await self.load(experiment_id, variant)).items()):
            yield StoredInterval(index, as_array(interval.series), interval.datapoints,
                                 interval.critical)  # fmt: skip
