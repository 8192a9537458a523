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
from pipelines.wiring import collection_interval_seconds as wired_interval_seconds


async def load(store: EventStore, experiment_id: UUID | str) -> Experiment:
    stream = experiment_stream(UUID(str(experiment_id)))
    state = fold([to_event(e) for e in await store.read_stream(stream)])
    if state is None:
        raise LookupError(f"no stream {stream}")
    return state


def variable(ref: PipelineRef, name: str) -> Any:
    """A template variant's variable: its own value, else the template's default; None for a
    registered pipeline's variant (it has no variables).
    """
    if name in ref.variables:
        return ref.variables[name]
    return template(ref.template).defaults().get(name) if ref.template else None


def collection_interval_seconds(state: Experiment) -> float:
    """How often the baseline scrapes: its template's variable, or its generated config's."""
    ref = state.spec.baseline
    if ref.template is not None:
        return duration_nanos(str(variable(ref, "collection_interval"))) / 1e9
    generated = next((c for c in state.configs if c.variant == ref.name), None)
    if generated is None:
        raise LookupError(f"no config was generated for the baseline {ref.name}")
    return wired_interval_seconds(generated.config)


def critical_patterns(spec: ExperimentSpec) -> tuple[str, ...]:
    """The experiment's critical processes, or the catalog's when it names none."""
    if spec.critical_processes:
        return spec.critical_processes
    return tuple(variable(spec.baseline, "critical_processes") or ())
