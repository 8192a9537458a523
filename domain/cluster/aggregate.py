"""The cluster-object aggregate type: drift corrections of one ProcessPipeline, as a record."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.aggregate import AggregateType
from domain.cluster import commands as cmd
from domain.cluster import events as ev
from domain.context import Context
from domain.messages import Command, Event


class ClusterObject(BaseModel):
    """A ProcessPipeline as its events make it: how often drift was put back, and which edits."""

    model_config = ConfigDict(frozen=True)

    version: int = 0
    corrected: frozenset[str] = frozenset()  # "<kind>/<object>@<resourceVersion>"


def cluster_stream(namespace: str, name: str) -> str:
    return f"cluster-{namespace}.{name}"


def _key(kind: str, name: str, resource_version: str) -> str:
    return f"{kind}/{name}@{resource_version}"


def apply(state: ClusterObject | None, event: Event) -> ClusterObject:
    state = state or ClusterObject()
    if isinstance(event, ev.PipelineDriftCorrected):
        key = _key(event.kind, event.object, event.resource_version)
        return state.model_copy(
            update={"version": state.version + 1, "corrected": state.corrected | {key}}
        )
    return state.model_copy(update={"version": state.version + 1})


def decide(state: ClusterObject | None, command: Command, ctx: Context) -> list[Event]:
    if not isinstance(command, cmd.RecordPipelineDrift):
        raise TypeError(f"{type(command).__name__} is not a cluster command")
    key = _key(command.kind, command.object, command.resource_version)
    if state is not None and key in state.corrected:
        return []  # this edit is recorded already
    return [ev.PipelineDriftCorrected(**command.model_dump())]


def _prepare(command: Command, command_id: UUID) -> Command:
    return command


def _stream_id(command: Command) -> str:
    if isinstance(command, cmd.ClusterCommand):
        return cluster_stream(command.namespace, command.name)
    raise ValueError(f"{type(command).__name__} names no cluster object")


CLUSTER = AggregateType(
    name="cluster",
    commands=cmd.COMMANDS,
    events=ev.EVENTS,
    prepare=_prepare,
    stream_id=_stream_id,
    apply=apply,
    decide=decide,
)
