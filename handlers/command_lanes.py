"""Which streams a command touches: commands that share one are decided in the order sent."""

from __future__ import annotations

from pydantic import ValidationError

from domain.catalog import command_type
from domain.errors import DomainError
from domain.experiment.commands import CreateExperiment, PromoteVariant
from domain.messages import CommandEnvelope
from domain.pipeline.decide import pipeline_stream


def streams_touched(body: bytes) -> frozenset[str]:
    """The stream a command decides on, and the streams its admission reads (a registered
    pipeline a new experiment runs or a promotion targets: registering one and then naming it
    must be decided in that order). Empty when the command cannot be read: it will be
    rejected, and its rejection touches only its own stream.
    """
    try:
        envelope = CommandEnvelope.model_validate_json(body)
        model, aggregate = command_type(envelope.type)
        command = aggregate.prepare(model.model_validate(envelope.data), envelope.command_id)
        touched = {aggregate.stream_id(command)}
    except (ValidationError, DomainError, ValueError, RecursionError):
        return frozenset()
    if isinstance(command, CreateExperiment):
        spec = command.spec()
        touched |= {
            pipeline_stream(ref.pipeline_name)
            for ref in (spec.baseline, *spec.candidates)
            if ref.pipeline_name is not None
        }
    if isinstance(command, PromoteVariant) and command.to_pipeline:
        touched.add(pipeline_stream(command.to_pipeline))
    return frozenset(touched)


def command_lane(body: bytes, sequence: int) -> frozenset[str]:
    """The lanes of a delivered command; one of its own when it cannot be read."""
    return streams_touched(body) or frozenset({f"unread-{sequence}"})
