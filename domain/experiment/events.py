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
    """Something that happened to one experiment; its stream is ``experiment-<experiment_id>``."""

    aggregate = "experiment"
    experiment_id: UUID


class ExperimentCreated(ExperimentEvent):
    """An experiment was defined, with everything it fixes (its spec); it is Pending."""

    spec: ExperimentSpec


class ExperimentStarted(ExperimentEvent):
    """Someone started it: its configs are to be generated (Initializing)."""


class ConfigsGenerated(ExperimentEvent):
    """Every variant's collector config is rendered and valid, with its sha256 (Deploying)."""

    configs: tuple[VariantConfig, ...]


class VariantDeployed(ExperimentEvent):
    """One variant's collectors run; ``details`` says where (deployer, pid, config path)."""

    variant: str
    details: FreeForm = Field(default_factory=dict)


class ExperimentRunning(ExperimentEvent):
    """Every variant runs: the observation window is [started_at, window_ends_at) (Running)."""

    started_at: datetime
    window_ends_at: datetime


class VariantDeploymentFailed(ExperimentEvent):
    """A variant could not be deployed, and why; an ExperimentFailed follows."""

    variant: str
    reason: str


class ObservationWindowClosed(ExperimentEvent):
    """The window has ended (and its late batches settled): the analysis begins (Analyzing)."""

    closed_at: datetime


class AnalysisRecorded(ExperimentEvent):
    """Every variant measured and every candidate judged: verdicts, reasons, figures per interval."""

    results: tuple[VariantResult, ...]
    winner: str | None
    baseline: VariantMeasures | None = None


class ExperimentCompleted(ExperimentEvent):
    """The analysis is recorded; ``winner`` is the best promotable candidate, if any (Completed)."""

    winner: str | None


class GuardrailTripped(ExperimentEvent):
    """A candidate lost a critical process while running; an ExperimentFailed follows."""

    variant: str
    reason: str


class ExperimentFailed(ExperimentEvent):
    """The experiment cannot go on, and why (Failed); its collectors are then taken down."""

    reason: str


class ExperimentCancelled(ExperimentEvent):
    """Someone cancelled it before its analysis, and why (Cancelled)."""

    reason: str


class PromotionRequested(ExperimentEvent):
    """A candidate is to be shipped through GitOps: after a promote verdict, or an admin's override."""

    variant: str
    override: bool
    override_reason: str | None
    requested_by: str
    to_pipeline: str | None = None  # the pipeline whose next version the winner becomes


class VariantPromoted(ExperimentEvent):
    """The promoted config is committed: the commit, its repository and branch."""

    variant: str
    commit_id: str
    repository: str
    branch: str


class TeardownRequested(ExperimentEvent):
    """The experiment has ended: these variants' collectors are to be taken down."""

    variants: tuple[str, ...]


class CollectorsTornDown(ExperimentEvent):
    """These variants' collectors are down."""

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
