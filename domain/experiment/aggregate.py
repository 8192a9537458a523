"""The Experiment aggregate type, as the command handler sees it."""

from __future__ import annotations

from uuid import UUID

from domain.aggregate import AggregateType
from domain.experiment.commands import COMMANDS, CreateExperiment, ExperimentCommand
from domain.experiment.decide import decide
from domain.experiment.events import EVENTS
from domain.experiment.state import apply
from domain.ids import derived_id, experiment_stream
from domain.messages import Command


def _prepare(command: Command, command_id: UUID) -> Command:
    if isinstance(command, CreateExperiment) and command.experiment_id is None:
        # Derived from the command id, so a redelivered create addresses the same stream.
        return command.model_copy(update={"experiment_id": derived_id("experiment", command_id)})
    return command


def _stream_id(command: Command) -> str:
    if isinstance(command, CreateExperiment | ExperimentCommand) and command.experiment_id:
        return experiment_stream(command.experiment_id)
    raise ValueError(f"{type(command).__name__} names no experiment")


EXPERIMENT = AggregateType(
    name="experiment",
    commands=COMMANDS,
    events=EVENTS,
    prepare=_prepare,
    stream_id=_stream_id,
    apply=apply,
    decide=decide,
)
