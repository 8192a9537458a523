"""Every aggregate, command and event type Phoenix knows, found by name."""

from __future__ import annotations

from domain.aggregate import AggregateType
from domain.cluster.aggregate import CLUSTER
from domain.command_log import COMMAND_LOG_EVENTS
from domain.dead_letters import DEAD_LETTER_EVENTS
from domain.errors import UnknownMessageType
from domain.experiment.aggregate import EXPERIMENT
from domain.messages import Command, Event
from domain.pipeline.aggregate import PIPELINE

AGGREGATES: dict[str, AggregateType] = {a.name: a for a in (EXPERIMENT, PIPELINE, CLUSTER)}

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


def command_subject(name: str) -> str:
    _, aggregate = command_type(name)
    return f"phoenix.cmd.{aggregate.name}.{name}"


def event_subject(recorded_type: str, stream_id: str) -> str:
    return f"phoenix.evt.{stream_id.split('-', 1)[0]}.{recorded_type}"
