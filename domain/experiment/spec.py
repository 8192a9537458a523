"""What an experiment compares, on which hosts, for how long, and what counts as success."""

from __future__ import annotations

import re2
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.bounds import FreeForm

VARIANT_NAME = r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$"
# A registered pipeline's name (as PIPELINE_NAME), and optionally @ and a version number.
PIPELINE_REF = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(@[1-9][0-9]{0,8})?$"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PipelineRef(Frozen):
    """A variant: a collector pipeline, from one of Phoenix's templates and its variables, or
    a version of a registered pipeline (``NAME@VERSION``, or ``NAME`` for its latest version:
    pinned at creation, with the version's sha256, so the experiment records which bytes ran).
    """

    name: str = Field(pattern=VARIANT_NAME, description="variant name, DNS-label shaped")
    template: str | None = Field(default=None, min_length=1, max_length=200)
    variables: FreeForm = Field(default_factory=dict)
    pipeline: str | None = Field(
        default=None,
        pattern=PIPELINE_REF,
        description="a registered pipeline: NAME@VERSION, or NAME for the latest version",
    )
    sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="the pipeline version's content hash; Phoenix records it at creation, and "
        "refuses the experiment if one given does not match",
    )

    @model_validator(mode="after")
    def _template_or_pipeline(self) -> PipelineRef:
        if (self.template is None) == (self.pipeline is None):
            raise ValueError("a variant names either a template or a pipeline, not both or neither")
        if self.pipeline is not None and self.variables:
            raise ValueError("variables go with a template; a registered pipeline is used as is")
        if self.template is not None and self.sha256 is not None:
            raise ValueError("sha256 goes with a pipeline, not a template")
        return self

    @property
    def source(self) -> str:
        """What the variant runs, for people: ``process-topk-v1``, or ``pipeline prod@2``."""
        return self.template or f"pipeline {self.pipeline}"

    @property
    def pipeline_name(self) -> str | None:
        return self.pipeline.partition("@")[0] if self.pipeline else None

    @property
    def pipeline_version(self) -> int | None:
        """The pinned version; None for ``NAME`` (the latest) or a template."""
        _, at, version = (self.pipeline or "").partition("@")
        return int(version) if at else None


class Target(Frozen):
    """Where the variants run: named hosts and/or a label selector."""

    hosts: tuple[str, ...] = ()
    selector: dict[str, str] = Field(default_factory=dict)
    namespace: str = "default"


class SuccessCriteria(Frozen):
    """The thresholds a candidate must clear, with statistical support, to be promoted."""

    min_series_reduction: float = Field(default=0.5, ge=0, le=1)
    min_datapoint_reduction: float = Field(default=0.0, ge=0, le=1)
    max_critical_loss: float = Field(default=0.0, ge=0, le=1)
    min_cost_reduction: float = Field(default=0.4, ge=0, le=1)
    max_collector_cpu_cores: float = Field(default=0.05, gt=0)
    max_collector_memory_mib: float = Field(default=100.0, gt=0)
    min_intervals: int = Field(default=5, ge=2)
    significance: float = Field(default=0.05, gt=0, lt=1)


class ExperimentSpec(Frozen):
    """Everything CreateExperiment fixes about an experiment."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    baseline: PipelineRef
    candidates: tuple[PipelineRef, ...] = Field(min_length=1, max_length=10)
    target: Target = Target()
    duration_seconds: int = Field(gt=0, le=30 * 24 * 3600)
    # RE2, as the collector matches them: linear time, so no pattern can stall a worker.
    critical_processes: tuple[str, ...] = Field(default=(), max_length=100)
    success_criteria: SuccessCriteria = SuccessCriteria()
    # Run a registered pipeline's candidate though the evaluator predicts it loses a critical
    # process, or cannot predict it; the guardrail and the verdict still judge what it does.
    allow_critical_loss: bool = False

    @field_validator("critical_processes")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for index, pattern in enumerate(patterns):
            if not 0 < len(pattern) <= 500:
                raise ValueError(f"critical_processes[{index}] must be 1 to 500 characters")
            try:
                re2.compile(pattern)
            except re2.error as exc:
                raise ValueError(
                    f"critical_processes[{index}] {pattern!r} is not an RE2 regex: {exc}"
                ) from exc
        return patterns

    @model_validator(mode="after")
    def _variant_names_unique(self) -> ExperimentSpec:
        names = [self.baseline.name, *(c.name for c in self.candidates)]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"variant names must be unique; repeated: {', '.join(duplicates)}")
        return self

    @property
    def variant_names(self) -> tuple[str, ...]:
        return (self.baseline.name, *(c.name for c in self.candidates))
