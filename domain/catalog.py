"""Every aggregate, command and event type Phoenix knows, found by name."""

from __future__ import annotations

from typing import Any

from domain.aggregate import AggregateType
from domain.command_log import COMMAND_LOG_EVENTS
from domain.dead_letters import DEAD_LETTER_EVENTS
from domain.errors import UnknownMessageType
from domain.experiment.aggregate import EXPERIMENT
from domain.messages import Command, Event, RecordedEvent
from domain.upcasting import upcast

AGGREGATES: dict[str, AggregateType] = {a.name: a for a in (EXPERIMENT,)}

COMMAND_TYPES: dict[str, tuple[type[Command], AggregateType]] = {
    c.type_name(): (c, a) for a in AGGREGATES.values() for c in a.commands
}
EVENT_TYPES: dict[str, type[Event]] = {
    e.type_name(): e
    for e in (
        *COMMAND_LOG_EVENTS,
        *DEAD_LETTER_EVENTS,
        *(e for a in AGGREGATES.values() for e in a.events),
    )
}


def command_type(name: str) -> tuple[type[Command], AggregateType]:
    try:
        return COMMAND_TYPES[name]
    except KeyError:
        raise UnknownMessageType("command", name, list(COMMAND_TYPES)) from None


def parse_command(name: str, data: dict[str, Any]) -> Command:
    """The typed command; raises UnknownMessageType or pydantic's ValidationError."""
    model, _ = command_type(name)
    return model.model_validate(data)


def to_event(recorded: RecordedEvent) -> Event:
    """The typed event of a stored one, upcast to the current schema version."""
    try:
        model = EVENT_TYPES[recorded.type]
    except KeyError:
        raise UnknownMessageType("event", recorded.type, list(EVENT_TYPES)) from None
    data = upcast(recorded.type, recorded.schema_version, recorded.data, model.schema_version)
    return model.model_validate(data)


def command_subject(name: str) -> str:
    _, aggregate = command_type(name)
    return f"phoenix.cmd.{aggregate.name}.{name}"


def event_subject(recorded_type: str, stream_id: str) -> str:
    return f"phoenix.evt.{stream_id.split('-', 1)[0]}.{recorded_type}"
