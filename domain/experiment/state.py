"""The experiment's state, and how each event moves it: ``state = apply(state, event)``."""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.experiment import events as ev
from domain.experiment.commands import VariantConfig, VariantMeasures, VariantResult
from domain.experiment.phase import Phase
from domain.experiment.spec import ExperimentSpec
from domain.messages import Event

PHASE_AFTER: dict[type[Event], Phase] = {
    ev.ExperimentStarted: Phase.INITIALIZING,
    ev.ConfigsGenerated: Phase.DEPLOYING,
    ev.ExperimentRunning: Phase.RUNNING,
    ev.ObservationWindowClosed: Phase.ANALYZING,
    ev.ExperimentCompleted: Phase.COMPLETED,
    ev.ExperimentFailed: Phase.FAILED,
    ev.ExperimentCancelled: Phase.CANCELLED,
}
"""The phase each event moves an experiment into; events not named leave the phase as it is."""


class PhaseChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    phase: Phase
    version: int


class Experiment(BaseModel):
    """An experiment as its events make it; ``version`` is the number of events folded."""

    model_config = ConfigDict(frozen=True)

    experiment_id: UUID
    version: int
    phase: Phase
    spec: ExperimentSpec
    configs: tuple[VariantConfig, ...] = ()
    deployed: frozenset[str] = frozenset()
    started_at: datetime | None = None
    window_ends_at: datetime | None = None
    results: tuple[VariantResult, ...] = ()
    baseline_measures: VariantMeasures | None = None
    winner: str | None = None
    reason: str | None = None
    promotion_requested: str | None = None
    promoted: str | None = None
    commit_id: str | None = None
    teardown_requested: bool = False
    torn_down: bool = False
    history: tuple[PhaseChange, ...] = ()

    def verdict_of(self, variant: str) -> VariantResult | None:
        return next((r for r in self.results if r.variant == variant), None)


def _moved(state: Experiment, event: Event, **changes: object) -> Experiment:
    version = state.version + 1
    phase = PHASE_AFTER[type(event)]
    history = (*state.history, PhaseChange(phase=phase, version=version))
    return state.model_copy(
        update={"version": version, "phase": phase, "history": history, **changes}
    )


def apply(state: Experiment | None, event: Event) -> Experiment:
    """The state after one more event; the first event must be ExperimentCreated."""
    if state is None:
        if not isinstance(event, ev.ExperimentCreated):
            raise ValueError(f"an experiment stream must begin with ExperimentCreated, not {event}")
        return Experiment(
            experiment_id=event.experiment_id,
            version=1,
            phase=Phase.PENDING,
            spec=event.spec,
            history=(PhaseChange(phase=Phase.PENDING, version=1),),
        )
    match event:
        case ev.ExperimentStarted():
            return _moved(state, event)
        case ev.ConfigsGenerated(configs=configs):
            return _moved(state, event, configs=configs)
        case ev.VariantDeployed(variant=variant):
            return state.model_copy(
                update={"version": state.version + 1, "deployed": state.deployed | {variant}}
            )
        case ev.ExperimentRunning(started_at=started, window_ends_at=ends):
            return _moved(state, event, started_at=started, window_ends_at=ends)
        case ev.ObservationWindowClosed():
            return _moved(state, event)
        case ev.AnalysisRecorded(results=results, winner=winner, baseline=baseline):
            return state.model_copy(
                update={
                    "version": state.version + 1,
                    "results": results,
                    "winner": winner,
                    "baseline_measures": baseline,
                }
            )
        case ev.ExperimentCompleted():
            return _moved(state, event)
        case ev.ExperimentFailed(reason=reason):
            return _moved(state, event, reason=reason)
        case ev.ExperimentCancelled(reason=reason):
            return _moved(state, event, reason=reason)
        case ev.PromotionRequested(variant=variant):
            return state.model_copy(
                update={"version": state.version + 1, "promotion_requested": variant}
            )
        case ev.VariantPromoted(variant=variant, commit_id=commit_id):
            return state.model_copy(
                update={"version": state.version + 1, "promoted": variant, "commit_id": commit_id}
            )
        case ev.TeardownRequested():
            return state.model_copy(
                update={"version": state.version + 1, "teardown_requested": True}
            )
        case ev.CollectorsTornDown():
            return state.model_copy(update={"version": state.version + 1, "torn_down": True})
        case ev.VariantDeploymentFailed() | ev.GuardrailTripped():
            return state.model_copy(update={"version": state.version + 1})
    raise ValueError(f"an experiment cannot apply {type(event).__name__}")


def fold(events: list[Event], state: Experiment | None = None) -> Experiment | None:
    """The state after all the events, from ``state`` (or from nothing)."""
    return reduce(apply, events, state)
