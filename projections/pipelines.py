"""The pipelines read model: each registered pipeline, and every version's config and hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from domain.mapper import to_event
from domain.messages import RecordedEvent
from domain.pipeline import events as ev
from projections.rows import Rows
from projections.tables import pipeline_versions, pipelines


def pipeline_row(event: ev.PipelineRegistered, recorded: RecordedEvent) -> dict[str, Any]:
    at = recorded.metadata.occurred_at
    return {
        "name": event.name,
        "description": event.description,
        "owner": event.owner,
        "labels": event.labels,
        "latest_version": 0,
        "deprecated": None,
        "promoted_version": None,
        "created_at": at,
        "updated_at": at,
        "created_by": recorded.metadata.actor,
    }


def version_row(event: ev.PipelineVersionAdded, recorded: RecordedEvent) -> dict[str, Any]:
    return {
        "name": event.name,
        "version": event.version,
        "config": event.config,
        "sha256": event.sha256,
        "note": event.note,
        "recommended": event.recommended.model_dump() if event.recommended else None,
        "promoted_from": None,
        "validated_by": list(event.validated_by),
        "created_at": recorded.metadata.occurred_at,
        "created_by": recorded.metadata.actor,
    }


def promotion(event: ev.PipelinePromoted) -> dict[str, Any]:
    """Which experiment promoted a version: its id, the variant, and the GitOps commit."""
    return {
        "experiment_id": str(event.experiment_id),
        "variant": event.variant,
        "commit_id": event.commit_id,
    }


class PipelinesProjector:
    name = "pipelines"
    tables: tuple[Table, ...] = (pipelines, pipeline_versions)

    async def apply(self, rows: Rows, event: RecordedEvent) -> None:
        if event.aggregate != "pipeline":
            return
        typed = to_event(event)
        at = event.metadata.occurred_at
        match typed:
            case ev.PipelineRegistered():
                await rows.insert(pipelines, pipeline_row(typed, event))
            case ev.PipelineVersionAdded(name=name, version=version):
                await rows.insert(pipeline_versions, version_row(typed, event))
                await self._set(rows, name, latest_version=version, updated_at=at)
            case ev.PipelineDeprecated(name=name, reason=reason):
                await self._set(rows, name, deprecated=reason, updated_at=at)
            case ev.PipelinePromoted(name=name, version=version):
                await self._set(rows, name, promoted_version=version, updated_at=at)
                await rows.update(
                    pipeline_versions, (name, version), {"promoted_from": promotion(typed)}
                )

    @staticmethod
    async def _set(rows: Rows, name: str, **values: Any) -> None:
        await rows.update(pipelines, (name,), values)
