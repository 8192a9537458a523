"""Commands that address an experiment: those people send and those handlers send."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from domain.analysis.measures import Measures
from domain.bounds import FreeForm
from domain.experiment.phase import Verdict
from domain.experiment.spec import VARIANT_NAME, ExperimentSpec, Frozen
from domain.identity import Role
from domain.messages import Command


class ExperimentCommand(Command):
    aggregate = "experiment"
    experiment_id: UUID


class CreateExperiment(Command, ExperimentSpec):
    """Define an experiment; it starts Pending. Without an id, one is derived."""

    sent_by = Role.OPERATOR

    aggregate = "experiment"
    experiment_id: UUID | None = None

    def spec(self) -> ExperimentSpec:
        return ExperimentSpec.model_validate(self.model_dump(exclude={"experiment_id"}))


class StartExperiment(ExperimentCommand):
    """Begin: generate the variants' configs, deploy them, observe."""

    sent_by = Role.OPERATOR


class CancelExperiment(ExperimentCommand):
    """Stop an experiment that has not reached analysis, for a reason."""

    sent_by = Role.OPERATOR

    reason: str = Field(min_length=1, max_length=2000)


class VariantConfig(Frozen):
    variant: str = Field(pattern=VARIANT_NAME)
    config: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class RecordConfigsGenerated(ExperimentCommand):
    """(handler) Every variant's collector config is rendered and valid."""

    configs: tuple[VariantConfig, ...] = Field(min_length=1)


class RecordVariantDeployed(ExperimentCommand):
    """(handler) One variant's collectors are deployed and healthy."""

    variant: str = Field(pattern=VARIANT_NAME)
    details: FreeForm = Field(default_factory=dict)


class RecordDeploymentFailed(ExperimentCommand):
    """(handler) A variant could not be deployed; the experiment fails."""

    variant: str = Field(pattern=VARIANT_NAME)
    reason: str = Field(min_length=1)


class CloseObservationWindow(ExperimentCommand):
    """(scheduler) The observation window has ended; analysis may begin."""


class IntervalMeasure(Frozen):
    """One interval of the observation window, as one variant saw it."""

    index: int = Field(ge=0)
    series: int = Field(ge=0)
    datapoints_per_minute: float = Field(ge=0)
    critical_processes: int = Field(ge=0)


class VariantMeasures(Frozen):
    """What a variant emitted over the window, whole and per interval."""

    variant: str = Field(pattern=VARIANT_NAME)
    measures: Measures = Measures()
    intervals: tuple[IntervalMeasure, ...] = ()


class VariantResult(Frozen):
    """A candidate's verdict, the reasons for it (the deciding one first), and its figures."""

    variant: str = Field(pattern=VARIANT_NAME)
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    measures: Measures = Measures()
    intervals: tuple[IntervalMeasure, ...] = ()


class RecordAnalysis(ExperimentCommand):
    """(handler) The analysis is done: a verdict per candidate."""

    results: tuple[VariantResult, ...] = Field(min_length=1)
    baseline: VariantMeasures | None = None


class TripGuardrail(ExperimentCommand):
    """(handler) A guardrail was breached while running; the experiment fails."""

    variant: str = Field(pattern=VARIANT_NAME)
    reason: str = Field(min_length=1)


class FailExperiment(ExperimentCommand):
    """(handler) Something went wrong that the experiment cannot recover from."""

    reason: str = Field(min_length=1)


class PromoteVariant(ExperimentCommand):
    """Ship a candidate through GitOps: after a promote verdict, or by an admin's override."""

    sent_by = Role.OPERATOR

    variant: str = Field(pattern=VARIANT_NAME)
    override: bool = False
    override_reason: str | None = None
    to_pipeline: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
        description="the registered pipeline whose next version the winner becomes; by "
        "default the baseline's, when the baseline is one",
    )

    def needs(self) -> tuple[str, Role]:
        if self.override:
            return "PromoteVariant with override (against the verdict)", Role.ADMIN
        return super().needs()


class RecordPromotion(ExperimentCommand):
    """(handler) The promoted config is committed to the GitOps repository."""

    variant: str = Field(pattern=VARIANT_NAME)
    commit_id: str = Field(min_length=7, max_length=64)
    repository: str
    branch: str


class RequestTeardown(ExperimentCommand):
    """(lifecycle) The experiment has ended: its collectors should be taken down."""


class RecordTeardown(ExperimentCommand):
    """(handler) The candidate collectors of a finished experiment are torn down."""

    variants: tuple[str, ...]


COMMANDS: tuple[type[Command], ...] = (
    CreateExperiment,
    StartExperiment,
    CancelExperiment,
    RecordConfigsGenerated,
    RecordVariantDeployed,
    RecordDeploymentFailed,
    CloseObservationWindow,
    RecordAnalysis,
    TripGuardrail,
    FailExperiment,
    PromoteVariant,
    RecordPromotion,
    RequestTeardown,
    RecordTeardown,
)
