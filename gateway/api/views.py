"""The shapes the read API answers with, typed so its OpenAPI document (and the dashboard's
client generated from it) says what each field is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict
from uuid import UUID


class Caller(TypedDict):
    subject: str
    roles: list[str]


class VerdictSummary(TypedDict):
    variant: str
    verdict: str
    series_reduction: float | None


class ExperimentSummary(TypedDict):
    experiment_id: UUID
    name: str
    phase: str
    created_at: datetime
    updated_at: datetime
    winner: str | None
    verdicts: list[VerdictSummary]


class ExperimentPage(TypedDict):
    items: list[ExperimentSummary]
    total: int
    limit: int
    offset: int


class PhaseChange(TypedDict):
    phase: str
    at: datetime
    version: int


class ExperimentView(TypedDict):
    experiment_id: UUID
    name: str
    description: str
    phase: str
    spec: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    reason: str | None
    window_ends_at: datetime | None
    winner: str | None
    results: Any
    promoted_variant: str | None
    promotion_commit: str | None
    phase_history: list[PhaseChange]


class AuditEvent(TypedDict):
    position: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    actor: str
    command_id: UUID | None
    correlation_id: UUID | None
    causation_id: UUID | None
    occurred_at: datetime
    data: dict[str, Any]


class AuditPage(TypedDict):
    stream_id: str
    items: list[AuditEvent]


class IntervalView(TypedDict):
    index: int
    series: int
    datapoints_per_minute: float
    critical_processes: int


class VariantResultView(TypedDict):
    variant: str
    role: str
    template: str | None
    pipeline: str | None
    pipeline_sha256: str | None
    verdict: str | None
    reasons: list[str] | None
    measures: dict[str, float] | None
    intervals: list[IntervalView] | None
    config_sha256: str | None
    deployed_at: datetime | None
    deployment: dict[str, Any] | None
    deployment_error: str | None
    torn_down_at: datetime | None
    predicted: dict[str, Any] | None


class ResultsView(TypedDict):
    experiment_id: UUID
    name: str
    phase: str
    available: bool
    window_ends_at: datetime | None
    winner: str | None
    promoted_variant: str | None
    promotion_commit: str | None
    reason: str | None
    variants: list[VariantResultView]


class VariantSeries(TypedDict):
    name: str
    series: list[int]
    datapoints: list[int]


class MeasurementsView(TypedDict):
    started_at: datetime | None
    interval_seconds: float | None
    of: int
    variants: list[VariantSeries]


class ConfigProblem(TypedDict):
    path: str
    message: str


class ValidationView(TypedDict):
    valid: bool
    problems: list[ConfigProblem]
    not_estimable: str | None


class ComponentKind(TypedDict, total=False):
    type: str
    keys: Any
    aliases: list[str]
    evaluated: bool


class ComponentsView(TypedDict):
    receivers: list[ComponentKind]
    processors: list[ComponentKind]
    exporters: list[ComponentKind]
    extensions: list[ComponentKind]
    profiles: list[str]


class EstimateView(TypedDict):
    basis: str
    input_series: int
    output_series: int
    series_reduction: float
    input_datapoints_per_minute: float
    output_datapoints_per_minute: float
    datapoint_reduction: float
    critical_processes_in: int
    critical_processes_out: int
    critical_retention: float | None
    input_cost_per_month: float
    output_cost_per_month: float
    cost_reduction: float
    critical_lost: list[str]


class TemplateVariable(TypedDict):
    name: str
    default: Any
    description: str


class TemplateView(TypedDict, total=False):
    name: str
    description: str
    variables: list[TemplateVariable]
    expected_reduction: dict[str, list[float]]
    rendered_with_defaults: str


class TemplateList(TypedDict):
    items: list[TemplateView]
