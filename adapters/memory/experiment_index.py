"""The experiment index in memory, for unit tests: read from the event store itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.memory.event_store import InMemoryEventStore
from domain.experiment.phase import Phase
from domain.experiment.state import Experiment, fold
from domain.ids import stream_uuid
from domain.mapper import to_event


class InMemoryExperimentIndex:
    def __init__(self, store: InMemoryEventStore) -> None:
        self.store = store

    async def _experiments(self) -> list[Experiment]:
        found = []
        for stream_id in self.store.stream_ids("experiment-"):
            state = fold([to_event(e) for e in await self.store.read_stream(stream_id)])
            if state is not None and state.experiment_id == stream_uuid(stream_id):
                found.append(state)
        return found

    async def due_windows(self, now: datetime) -> list[UUID]:
        return [
            x.experiment_id
            for x in await self._experiments()
            if x.phase is Phase.RUNNING and x.window_ends_at is not None and x.window_ends_at <= now
        ]

    async def in_phases(self, phases: Sequence[Phase]) -> list[UUID]:
        return [x.experiment_id for x in await self._experiments() if x.phase in phases]
