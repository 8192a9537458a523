"""Builders for experiment commands and states used across the unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.context import Context
from domain.experiment import commands as cmd
from domain.experiment.decide import decide
from domain.experiment.phase import Verdict
from domain.experiment.state import Experiment, apply
from domain.messages import Command, Event

XID = UUID("00000000-0000-4000-8000-000000000001")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CTX = Context(now=NOW, actor="alice")
ADMIN = Context(now=NOW, actor="root", roles=("admin",))
SHA = "0" * 64


def create(**overrides: Any) -> cmd.CreateExperiment:
    fields: dict[str, Any] = {
        "experiment_id": XID,
        "name": "halve process metrics",
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [
            {"name": "aggregated", "template": "process-aggregated-v1"},
            {"name": "topk", "template": "process-topk-v1"},
        ],
        "duration_seconds": 600,
        "critical_processes": ["^postgres$", "^nginx"],
    }
    fields.update(overrides)
    return cmd.CreateExperiment.model_validate(fields)


def run(
    commands: list[Command], state: Experiment | None = None, ctx: Context = CTX
) -> tuple[Experiment | None, list[Event]]:
    """Decide and apply each command in turn; returns the final state and all events."""
    produced: list[Event] = []
    for command in commands:
        events = decide(state, command, ctx)
        for event in events:
            state = apply(state, event)
        produced.extend(events)
    return state, produced


def configs(*variants: str) -> cmd.RecordConfigsGenerated:
    return cmd.RecordConfigsGenerated(
        experiment_id=XID,
        configs=tuple(
            cmd.VariantConfig(variant=v, config="receivers: {}", sha256=SHA) for v in variants
        ),
    )


def to_running() -> list[Command]:
    return [
        create(),
        cmd.StartExperiment(experiment_id=XID),
        configs("baseline", "aggregated", "topk"),
        *(
            cmd.RecordVariantDeployed(experiment_id=XID, variant=v)
            for v in ("baseline", "aggregated", "topk")
        ),
    ]


def analysis(
    aggregated: Verdict = Verdict.PROMOTE, topk: Verdict = Verdict.REJECT
) -> cmd.RecordAnalysis:
    return cmd.RecordAnalysis(
        experiment_id=XID,
        results=(
            cmd.VariantResult(
                variant="aggregated", verdict=aggregated, measures={"series_reduction": 0.7}
            ),
            cmd.VariantResult(variant="topk", verdict=topk, measures={"series_reduction": 0.8}),
        ),
    )


def to_completed(**verdicts: Verdict) -> list[Command]:
    return [*to_running(), cmd.CloseObservationWindow(experiment_id=XID), analysis(**verdicts)]
