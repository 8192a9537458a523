"""Reading an experiment's current state from its stream, for handlers that need more than an event."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.experiment.spec import ExperimentSpec, PipelineRef
from domain.experiment.state import Experiment, fold
from domain.ids import experiment_stream
from domain.mapper import to_event
from handlers.ports import EventStore
from pipelines.catalog import template
from pipelines.ottl.functions import duration_nanos


async def load(store: EventStore, experiment_id: UUID | str) -> Experiment:
    stream = experiment_stream(UUID(str(experiment_id)))
    state = fold([to_event(e) for e in await store.read_stream(stream)])
    if state is None:
        raise LookupError(f"no stream {stream}")
    return state


def variable(ref: PipelineRef, name: str) -> Any:
    """A variant's variable: its own value, else the template's default."""
    if name in ref.variables:
        return ref.variables[name]
    return template(ref.template).defaults().get(name)


def collection_interval_seconds(ref: PipelineRef) -> float:
    return duration_nanos(str(variable(ref, "collection_interval"))) / 1e9


def critical_patterns(spec: ExperimentSpec) -> tuple[str, ...]:
    """The experiment's critical processes, or the catalog's when it names none."""
    if spec.critical_processes:
        return spec.critical_processes
    return tuple(variable(spec.baseline, "critical_processes") or ())
