"""The behaviour every EventStore must have; run against each implementation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.messages import EventMetadata, NewEvent
from handlers.ports import CommandAlreadyHandled, ConcurrencyError, EventStore, HandledCommand


def new_event(kind: str = "Happened", **data: object) -> NewEvent:
    return NewEvent(
        event_id=uuid4(),
        type=kind,
        data=dict(data),
        metadata=EventMetadata(actor="test", occurred_at=datetime(2026, 1, 1, tzinfo=UTC)),
    )


def stream() -> str:
    return f"test-{uuid4()}"


class EventStoreContract:
    """Subclass with a ``store`` fixture yielding an empty-or-shared store."""

    async def test_appended_events_are_read_back_in_version_order(self, store: EventStore) -> None:
        s = stream()
        written = await store.append(s, 0, [new_event(n=1), new_event(n=2)])
        read = await store.read_stream(s)
        assert read == written
        assert [e.version for e in read] == [1, 2]
        assert [e.data["n"] for e in read] == [1, 2]

    async def test_an_append_at_a_stale_version_raises_a_concurrency_error(
        self, store: EventStore
    ) -> None:
        s = stream()
        await store.append(s, 0, [new_event()])
        with pytest.raises(ConcurrencyError) as caught:
            await store.append(s, 0, [new_event()])
        assert (caught.value.expected, caught.value.actual) == (0, 1)
        assert len(await store.read_stream(s)) == 1

    async def test_an_append_is_all_or_nothing(self, store: EventStore) -> None:
        s = stream()
        duplicate = new_event()
        await store.append(stream(), 0, [duplicate])
        with pytest.raises(ConcurrencyError):
            await store.append(s, 0, [new_event(), duplicate])
        assert await store.read_stream(s) == []

    async def test_re_appending_the_same_events_is_harmless(self, store: EventStore) -> None:
        s = stream()
        events = [new_event(), new_event()]
        first = await store.append(s, 0, events)
        again = await store.append(s, 0, events)
        assert again == first
        assert len(await store.read_stream(s)) == 2

    async def test_read_stream_can_start_from_a_version(self, store: EventStore) -> None:
        s = stream()
        await store.append(s, 0, [new_event(n=i) for i in range(5)])
        assert [e.version for e in await store.read_stream(s, from_version=4)] == [4, 5]

    async def test_read_all_returns_events_in_global_order_after_a_position(
        self, store: EventStore
    ) -> None:
        before = await store.head_position()
        a, b = stream(), stream()
        await store.append(a, 0, [new_event(n=1)])
        await store.append(b, 0, [new_event(n=2)])
        await store.append(a, 1, [new_event(n=3)])
        tail = await store.read_all(after_position=before, limit=10)
        assert [e.data["n"] for e in tail] == [1, 2, 3]
        assert [e.position for e in tail] == sorted(e.position for e in tail)
        assert await store.head_position() == tail[-1].position
        assert len(await store.read_all(after_position=before, limit=2)) == 2

    async def test_a_command_is_recorded_with_its_events_once(self, store: EventStore) -> None:
        s, command_id = stream(), uuid4()
        handled = HandledCommand(command_id, "DoIt", s, "accepted")
        await store.append(s, 0, [new_event()], command=handled)
        assert await store.handled_command(command_id) == handled
        with pytest.raises(CommandAlreadyHandled):
            await store.append(s, 1, [new_event()], command=handled)
        assert len(await store.read_stream(s)) == 1

    async def test_a_handled_command_is_refused_even_with_events_already_stored(
        self, store: EventStore
    ) -> None:
        s, command_id = stream(), uuid4()
        events = [new_event()]
        await store.append(s, 0, events, command=HandledCommand(command_id, "DoIt", s, "accepted"))
        with pytest.raises(CommandAlreadyHandled):
            await store.append(
                s, 0, events, command=HandledCommand(command_id, "DoIt", s, "accepted")
            )

    async def test_a_command_without_events_is_still_recorded(self, store: EventStore) -> None:
        s, command_id = stream(), uuid4()
        handled = HandledCommand(command_id, "NoOp", s, "accepted")
        assert await store.append(s, 0, [], command=handled) == []
        assert await store.handled_command(command_id) == handled

    async def test_a_failed_append_does_not_record_its_command(self, store: EventStore) -> None:
        s, command_id = stream(), uuid4()
        await store.append(s, 0, [new_event()])
        with pytest.raises(ConcurrencyError):
            await store.append(
                s, 0, [new_event()], command=HandledCommand(command_id, "X", s, "accepted")
            )
        assert await store.handled_command(command_id) is None

    async def test_concurrent_appends_to_one_stream_let_exactly_one_win(
        self, store: EventStore
    ) -> None:
        s = stream()
        await store.append(s, 0, [new_event()])
        results = await asyncio.gather(
            *(store.append(s, 1, [new_event(i=i)]) for i in range(8)), return_exceptions=True
        )
        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert all(isinstance(r, ConcurrencyError) for r in results if isinstance(r, BaseException))
        assert [e.version for e in await store.read_stream(s)] == [1, 2]
