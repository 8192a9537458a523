"""Reactors: react to typed events with typed commands, each effect once per event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.experiment.commands import FailExperiment
from domain.experiment.events import ExperimentEvent
from domain.ids import derived_id
from domain.mapper import Occurred, to_envelope
from domain.messages import Command, CommandEnvelope, CommandMetadata, Event

__all__ = ["Reactor", "failure_command", "reaction_commands"]


class Reactor(Protocol):
    """A named reaction to some event classes; its durable consumer is named after it.

    ``react`` gets each event of ``event_types`` typed, and returns the commands to send for it
    (their ids are derived from the reactor, the event and their place, so a redelivered event
    sends the same commands, which the store then refuses to apply twice).
    """

    @property
    def name(self) -> str: ...

    @property
    def event_types(self) -> tuple[type[Event], ...]: ...

    async def react(self, occurred: Occurred[Event]) -> Sequence[Command]: ...


def event_type_names(reactor: Reactor) -> frozenset[str]:
    """The stored type names of the events the reactor takes."""
    return frozenset(kind.type_name() for kind in reactor.event_types)


def reaction_commands(
    reactor: str, occurred: Occurred[Event], commands: Sequence[Command]
) -> list[CommandEnvelope]:
    """The reaction's commands as envelopes, ids derived from (reactor, event, index)."""
    return [
        to_envelope(
            command,
            command_id=derived_id("reaction", reactor, occurred.event_id, index),
            metadata=_caused_by(reactor, occurred),
        )
        for index, command in enumerate(commands)
    ]


def _caused_by(reactor: str, occurred: Occurred[Event]) -> CommandMetadata:
    """A reactor's command: sent by the reactor, caused by the event, in its conversation."""
    return CommandMetadata(
        actor=f"reactor:{reactor}",
        correlation_id=occurred.metadata.correlation_id or occurred.event_id,
        causation_id=occurred.event_id,
    )


def failure_command(
    reactor: str, occurred: Occurred[Event], error: BaseException
) -> CommandEnvelope | None:
    """FailExperiment for an experiment whose event a reactor could not handle, however often it
    was tried: the experiment ends as Failed, with the reason, instead of waiting forever.
    None for events of other aggregates. Its id is derived, so sending it twice is harmless.
    """
    event = occurred.event
    if not isinstance(event, ExperimentEvent):
        return None
    reason = f"the {reactor} handler failed on {event.type_name()}: {type(error).__name__}: {error}"
    return to_envelope(
        FailExperiment(experiment_id=event.experiment_id, reason=reason[:2000]),
        command_id=derived_id("reaction-failed", reactor, occurred.event_id),
        metadata=_caused_by(reactor, occurred),
    )
