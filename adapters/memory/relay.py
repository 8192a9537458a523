"""The relay in memory: each event the in-memory store appends is published on the bus at once."""

from __future__ import annotations

from adapters.memory.event_store import InMemoryEventStore
from adapters.nats.consumer import MessageBus
from adapters.nats.streams import EVENTS
from adapters.relay import event_headers
from domain.catalog import event_subject
from domain.messages import RecordedEvent


def relay(store: InMemoryEventStore, bus: MessageBus) -> None:
    """Publish what the store appends on ``bus``, in order (``InMemoryEventStore.on_append``)."""

    async def publish(events: list[RecordedEvent]) -> None:
        for event in events:
            await bus.publish(
                event_subject(event.type, event.stream_id),
                event.model_dump_json().encode(),
                event_headers(event),
                stream=EVENTS,
            )

    store.on_append.append(publish)
