"""The tracking port in memory, for unit tests: the same contract as PostgreSQL's."""

from __future__ import annotations

from uuid import UUID


class InMemoryTracking:
    def __init__(self) -> None:
        self._effects: set[tuple[str, UUID]] = set()
        self._positions: dict[str, int] = {}

    async def has_tracking_id(self, consumer: str, event_id: UUID) -> bool:
        return (consumer, event_id) in self._effects

    async def track(self, consumer: str, event_id: UUID) -> None:
        self._effects.add((consumer, event_id))

    async def max_tracking_id(self, consumer: str) -> int:
        return self._positions.get(consumer, 0)

    async def track_position(self, consumer: str, position: int) -> None:
        self._positions[consumer] = position
