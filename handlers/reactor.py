"""Reactors: react to events, usually by sending commands, each effect once per event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.ids import derived_id, stream_uuid
from domain.messages import CommandEnvelope, CommandMetadata, RecordedEvent


@dataclass(frozen=True)
class Reaction:
    """The commands a reactor wants sent for one event (type and data; ids are derived)."""

    commands: Sequence[tuple[str, dict[str, Any]]] = field(default_factory=tuple)


class Reactor(Protocol):
    """A named reaction to some event types; its durable consumer is named after it."""

    name: str
    event_types: frozenset[str]

    async def react(self, event: RecordedEvent) -> Reaction: ...


def reaction_commands(
    reactor: str, event: RecordedEvent, reaction: Reaction
) -> list[CommandEnvelope]:
    """The reaction's commands, with ids derived from (reactor, event, index): a redelivered
    event yields the same command ids, which the store then refuses to apply twice.
    """
    return [
        CommandEnvelope(
            command_id=derived_id("reaction", reactor, event.event_id, index),
            type=kind,
            data=data,
            metadata=_caused_by(reactor, event),
        )
        for index, (kind, data) in enumerate(reaction.commands)
    ]


def _caused_by(reactor: str, event: RecordedEvent) -> CommandMetadata:
    """A reactor's command: sent by the reactor, caused by the event, in its conversation."""
    return CommandMetadata(
        actor=f"reactor:{reactor}",
        correlation_id=event.metadata.correlation_id or event.event_id,
        causation_id=event.event_id,
    )


def failure_command(
    reactor: str, event: RecordedEvent, error: BaseException
) -> CommandEnvelope | None:
    """FailExperiment for an experiment whose event a reactor could not handle, however often it
    was tried: the experiment ends as Failed, with the reason, instead of waiting forever.
    None for events of other aggregates. Its id is derived, so sending it twice is harmless.
    """
    if event.aggregate != "experiment":
        return None
    reason = f"the {reactor} handler failed on {event.type}: {type(error).__name__}: {error}"
    return CommandEnvelope(
        command_id=derived_id("reaction-failed", reactor, event.event_id),
        type="FailExperiment",
        data={"experiment_id": str(stream_uuid(event.stream_id)), "reason": reason[:2000]},
        metadata=_caused_by(reactor, event),
    )
