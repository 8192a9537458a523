"""The one mapper between stored and typed messages: events both ways (upcasting on read), commands to envelopes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from domain.catalog import EVENT_TYPES
from domain.errors import UnknownMessageType
from domain.ids import derived_id
from domain.messages import (
    Command,
    CommandEnvelope,
    CommandMetadata,
    Event,
    EventMetadata,
    NewEvent,
    RecordedEvent,
)
from domain.upcasting import upcast

__all__ = ["Occurred", "occurred", "to_envelope", "to_event", "to_new_events"]

E_co = TypeVar("E_co", bound=Event, covariant=True)


@dataclass(frozen=True)
class Occurred(Generic[E_co]):
    """A typed event as it was recorded: the event, its id, its stream and its metadata."""

    event: E_co
    event_id: UUID
    stream_id: str
    position: int
    metadata: EventMetadata


def to_event(recorded: RecordedEvent) -> Event:
    """The typed event of a stored one, upcast to the current schema version."""
    try:
        model = EVENT_TYPES[recorded.type]
    except KeyError:
        raise UnknownMessageType("event", recorded.type, list(EVENT_TYPES)) from None
    data = upcast(recorded.type, recorded.schema_version, recorded.data, model.schema_version)
    return model.model_validate(data)


def occurred(recorded: RecordedEvent) -> Occurred[Event]:
    """A stored event, typed, with what was recorded around it."""
    return Occurred(
        event=to_event(recorded),
        event_id=recorded.event_id,
        stream_id=recorded.stream_id,
        position=recorded.position,
        metadata=recorded.metadata,
    )


def to_new_events(
    events: list[Event], *, command_id: UUID, metadata: EventMetadata
) -> list[NewEvent]:
    """Typed events as they are appended; their ids derived from the command, the type and the
    place, so handling a command twice cannot write different events.
    """
    return [
        NewEvent(
            event_id=derived_id("event", command_id, event.type_name(), index),
            type=event.type_name(),
            schema_version=event.schema_version,
            data=event.model_dump(mode="json"),
            metadata=metadata,
        )
        for index, event in enumerate(events)
    ]


def to_envelope(
    command: Command, *, command_id: UUID, metadata: CommandMetadata
) -> CommandEnvelope:
    """A typed command as it travels on the bus."""
    return CommandEnvelope(
        command_id=command_id,
        type=command.type_name(),
        data=command.model_dump(mode="json"),
        metadata=metadata,
    )
