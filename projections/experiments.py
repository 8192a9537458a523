"""The experiments read model: list and detail, with the history of phase changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from domain.experiment import events as ev
from domain.experiment.phase import Phase
from domain.experiment.state import PHASE_AFTER
from domain.ids import stream_uuid
from domain.mapper import to_event
from domain.messages import RecordedEvent
from projections.rows import Rows
from projections.tables import experiment_phases, experiments


def created_row(created: ev.ExperimentCreated, event: RecordedEvent) -> dict[str, Any]:
    """An experiment's row as its creation makes it (the read models' one definition)."""
    spec, at = created.spec, event.metadata.occurred_at
    return {
        "experiment_id": created.experiment_id,
        "name": spec.name,
        "description": spec.description,
        "phase": Phase.PENDING.value,
        "spec": spec.model_dump(mode="json"),
        "version": event.version,
        "created_at": at,
        "updated_at": at,
        "created_by": event.metadata.actor,
    }


class ExperimentsProjector:
    name = "experiments"
    tables: tuple[Table, ...] = (experiments, experiment_phases)

    async def apply(self, rows: Rows, event: RecordedEvent) -> None:
        if event.aggregate != "experiment":
            return
        typed = to_event(event)
        at = event.metadata.occurred_at
        if isinstance(typed, ev.ExperimentCreated):
            await rows.insert(experiments, created_row(typed, event))
            await self._phase(rows, event, Phase.PENDING)
            return
        changes: dict[str, Any] = {"version": event.version, "updated_at": at}
        match typed:
            case ev.ExperimentRunning(window_ends_at=ends):
                changes["window_ends_at"] = ends
            case ev.AnalysisRecorded(results=results, winner=winner):
                changes["results"] = [r.model_dump(mode="json") for r in results]
                changes["winner"] = winner
            case ev.ExperimentFailed(reason=reason) | ev.ExperimentCancelled(reason=reason):
                changes["reason"] = reason
            case ev.VariantPromoted(variant=variant, commit_id=commit_id):
                changes["promoted_variant"] = variant
                changes["promotion_commit"] = commit_id
        phase = PHASE_AFTER.get(type(typed))
        if phase is not None:
            changes["phase"] = phase.value
            await self._phase(rows, event, phase)
        await rows.update(experiments, (typed.experiment_id,), changes)  # type: ignore[attr-defined]

    async def _phase(self, rows: Rows, event: RecordedEvent, phase: Phase) -> None:
        await rows.append(
            experiment_phases,
            {
                "experiment_id": stream_uuid(event.stream_id),
                "version": event.version,
                "phase": phase.value,
                "at": event.metadata.occurred_at,
                "position": event.position,
            },
        )
