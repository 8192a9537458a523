"""An in-memory event store with the same contract as the Postgres one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from domain.messages import NewEvent, RecordedEvent
from handlers.ports import CommandAlreadyHandled, ConcurrencyError, HandledCommand

Appended = Callable[[list[RecordedEvent]], Awaitable[None]]


class InMemoryEventStore:
    """Events appended here are handed, in order, to each ``on_append`` listener (the in-memory
    relay): the outbox, published at once.
    """

    def __init__(self) -> None:
        self.on_append: list[Appended] = []
        self._log: list[RecordedEvent] = []
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._by_id: dict[UUID, RecordedEvent] = {}
        self._commands: dict[UUID, HandledCommand] = {}
        self._lock = asyncio.Lock()

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        command: HandledCommand | None = None,
    ) -> list[RecordedEvent]:
        async with self._lock:
            if command is not None and command.command_id in self._commands:
                raise CommandAlreadyHandled(command.command_id)
            stored = [self._by_id[e.event_id] for e in events if e.event_id in self._by_id]
            if command is None and events and len(stored) == len(events):
                return stored
            stream = self._streams.get(stream_id, [])
            if len(stream) != expected_version:
                raise ConcurrencyError(stream_id, expected_version, len(stream))
            if stored:
                raise ConcurrencyError(stream_id, expected_version, stored[0].version)
            recorded = [
                RecordedEvent(
                    event_id=e.event_id,
                    stream_id=stream_id,
                    version=expected_version + i,
                    position=len(self._log) + i,
                    type=e.type,
                    schema_version=e.schema_version,
                    data=e.data,
                    metadata=e.metadata,
                )
                for i, e in enumerate(events, start=1)
            ]
            self._log.extend(recorded)
            self._streams[stream_id] = [*stream, *recorded]
            self._by_id.update((r.event_id, r) for r in recorded)
            if command is not None:
                self._commands[command.command_id] = command
            for listener in self.on_append:
                await listener(recorded)
            return recorded

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        return [e for e in self._streams.get(stream_id, []) if e.version >= from_version]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return self._log[after_position : after_position + limit]

    async def head_position(self) -> int:
        return len(self._log)

    def stream_ids(self, prefix: str = "") -> list[str]:
        return [s for s in self._streams if s.startswith(prefix)]

    async def handled_command(self, command_id: UUID) -> HandledCommand | None:
        return self._commands.get(command_id)
