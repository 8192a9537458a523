"""The relay in memory: each event the in-memory store appends is published on the bus at once."""

from __future__ import annotations

from adapters.memory.event_store import InMemoryEventStore
from adapters.nats.consumer import MessageBus
from adapters.nats.streams import EVENTS
from adapters.relay import event_message
from domain.messages import RecordedEvent


def relay(store: InMemoryEventStore, bus: MessageBus) -> None:
    """Publish what the store appends on ``bus``, in order (``InMemoryEventStore.on_append``)."""

    async def publish(events: list[RecordedEvent]) -> None:
        for event in events:
            subject, body, headers = event_message(event)
            await bus.publish(subject, body, headers, stream=EVENTS)

    store.on_append.append(publish)
