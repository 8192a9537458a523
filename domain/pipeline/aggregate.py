"""The Pipeline aggregate type, as the command handler sees it."""

from __future__ import annotations

from uuid import UUID

from domain.aggregate import AggregateType
from domain.messages import Command
from domain.pipeline.commands import COMMANDS, PipelineCommand
from domain.pipeline.decide import decide, pipeline_stream
from domain.pipeline.events import EVENTS
from domain.pipeline.state import apply


def _prepare(command: Command, command_id: UUID) -> Command:
    return command


def _stream_id(command: Command) -> str:
    if isinstance(command, PipelineCommand):
        return pipeline_stream(command.name)
    raise ValueError(f"{type(command).__name__} names no pipeline")


PIPELINE = AggregateType(
    name="pipeline",
    commands=COMMANDS,
    events=EVENTS,
    prepare=_prepare,
    stream_id=_stream_id,
    apply=apply,
    decide=decide,
)
