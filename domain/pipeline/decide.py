"""Decisions on a pipeline: what events a command produces, or why it is refused."""

from __future__ import annotations

import hashlib

from domain.context import Context
from domain.errors import AggregateNotFound, IllegalCommand
from domain.messages import Command, Event
from domain.pipeline import commands as cmd
from domain.pipeline import events as ev
from domain.pipeline.recommended import Recommended
from domain.pipeline.state import Pipeline


def pipeline_stream(name: str) -> str:
    return f"pipeline-{name}"


def sha256_of(config: str) -> str:
    return hashlib.sha256(config.encode()).hexdigest()


def decide(state: Pipeline | None, command: Command, ctx: Context) -> list[Event]:
    """The events ``command`` produces on ``state``; raises a DomainError if it is refused."""
    kind = type(command).__name__
    if not isinstance(command, cmd.PipelineCommand):
        raise TypeError(f"{kind} is not a pipeline command")
    name = command.name
    if isinstance(command, cmd.RegisterPipeline | cmd.RevisePipeline) and command.config is None:
        # The handler renders a template into config before deciding (handlers.pipeline_refs).
        raise IllegalCommand(kind, "unrendered", "its template was not rendered into a config")
    if isinstance(command, cmd.RegisterPipeline):
        assert command.config is not None
        if state is None:
            return [
                ev.PipelineRegistered(
                    name=name,
                    description=command.description,
                    owner=command.owner or ctx.actor,
                    labels=command.labels,
                ),
                _version(
                    name,
                    1,
                    command.config,
                    recommended=command.recommended,
                    template=command.template,
                    validated_by=command.validated_by,
                ),
            ]
        if state.version_with(sha256_of(command.config)) is not None:
            return []  # the same bytes again: one version
        raise _refused(state, command, "the name is taken; add a version with RevisePipeline")
    if state is None:
        raise AggregateNotFound(pipeline_stream(name), kind)
    match command:
        case cmd.RevisePipeline(config=str() as config, note=note, recommended=recommended):
            if state.deprecated is not None:
                raise _refused(state, command, f"it is deprecated ({state.deprecated})")
            if state.version_with(sha256_of(config)) is not None:
                return []
            number = len(state.versions) + 1
            return [
                _version(
                    name,
                    number,
                    config,
                    note,
                    recommended,
                    command.template,
                    command.validated_by,
                )
            ]
        case cmd.PromotePipelineVersion(config=config, experiment_id=experiment_id):
            if experiment_id in state.promoted_by:
                return []  # this experiment's promotion is recorded already
            if state.deprecated is not None:
                raise _refused(state, command, f"it is deprecated ({state.deprecated})")
            existing = state.version_with(sha256_of(config))
            added = (
                []
                if existing is not None
                else [
                    _version(
                        name,
                        len(state.versions) + 1,
                        config,
                        f"promoted from experiment {experiment_id} (variant {command.variant})",
                        validated_by=command.validated_by,
                    )
                ]
            )
            number = existing.number if existing is not None else len(state.versions) + 1
            return [
                *added,
                ev.PipelinePromoted(
                    name=name,
                    version=number,
                    experiment_id=experiment_id,
                    variant=command.variant,
                    commit_id=command.commit_id,
                ),
            ]
        case cmd.DeprecatePipeline(reason=reason):
            return (
                []
                if state.deprecated is not None
                else [ev.PipelineDeprecated(name=name, reason=reason)]
            )
    raise TypeError(f"{kind} is not a pipeline command")


def _version(
    name: str,
    number: int,
    config: str,
    note: str = "",
    recommended: Recommended | None = None,
    template: cmd.FromTemplate | None = None,
    validated_by: tuple[str, ...] = (),
) -> ev.PipelineVersionAdded:
    return ev.PipelineVersionAdded(
        name=name,
        version=number,
        config=config,
        sha256=sha256_of(config),
        note=note,
        recommended=recommended,
        template=template,
        validated_by=validated_by,
    )


def _refused(state: Pipeline, command: Command, detail: str) -> IllegalCommand:
    phase = "deprecated" if state.deprecated is not None else f"at version {len(state.versions)}"
    return IllegalCommand(type(command).__name__, phase, detail, of=f"pipeline {state.name}")
