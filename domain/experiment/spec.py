"""What an experiment compares, on which hosts, for how long, and what counts as success."""

from __future__ import annotations

import re2
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.bounds import FreeForm

VARIANT_NAME = r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PipelineRef(Frozen):
    """A variant: a named collector pipeline, from a template and its variables."""

    name: str = Field(pattern=VARIANT_NAME, description="variant name, DNS-label shaped")
    template: str = Field(min_length=1, max_length=200)
    variables: FreeForm = Field(default_factory=dict)


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
