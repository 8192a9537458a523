"""Events in an experiment's stream, each a fact in the past tense."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from domain.bounds import FreeForm
from domain.experiment.commands import VariantConfig, VariantMeasures, VariantResult
from domain.experiment.spec import ExperimentSpec
from domain.messages import Event


class ExperimentEvent(Event):
    aggregate = "experiment"
    experiment_id: UUID


class ExperimentCreated(ExperimentEvent):
    spec: ExperimentSpec


class ExperimentStarted(ExperimentEvent):
    pass


class ConfigsGenerated(ExperimentEvent):
    configs: tuple[VariantConfig, ...]


class VariantDeployed(ExperimentEvent):
    variant: str
    details: FreeForm = Field(default_factory=dict)


class ExperimentRunning(ExperimentEvent):
    started_at: datetime
    window_ends_at: datetime


class VariantDeploymentFailed(ExperimentEvent):
    variant: str
    reason: str


class ObservationWindowClosed(ExperimentEvent):
    closed_at: datetime


class AnalysisRecorded(ExperimentEvent):
    results: tuple[VariantResult, ...]
    winner: str | None
    baseline: VariantMeasures | None = None


class ExperimentCompleted(ExperimentEvent):
    winner: str | None


class GuardrailTripped(ExperimentEvent):
    variant: str
    reason: str


class ExperimentFailed(ExperimentEvent):
    reason: str


class ExperimentCancelled(ExperimentEvent):
    reason: str


class PromotionRequested(ExperimentEvent):
    variant: str
    override: bool
    override_reason: str | None
    requested_by: str


class VariantPromoted(ExperimentEvent):
    variant: str
    commit_id: str
    repository: str
    branch: str


class TeardownRequested(ExperimentEvent):
    variants: tuple[str, ...]


class CollectorsTornDown(ExperimentEvent):
    variants: tuple[str, ...]


EVENTS: tuple[type[Event], ...] = (
    ExperimentCreated,
    ExperimentStarted,
    ConfigsGenerated,
    VariantDeployed,
    ExperimentRunning,
    VariantDeploymentFailed,
    ObservationWindowClosed,
    AnalysisRecorded,
    ExperimentCompleted,
    GuardrailTripped,
    ExperimentFailed,
    ExperimentCancelled,
    PromotionRequested,
    VariantPromoted,
    TeardownRequested,
    CollectorsTornDown,
)
