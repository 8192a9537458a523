"""The queries the read API runs against the read tables."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from projections.read_model import results_view, verdicts_of
from projections.tables import (
    audit_log,
    command_outcomes,
    experiment_phases,
    experiment_variants,
    experiments,
    pipeline_versions,
    pipelines,
)


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


async def list_experiments(
    conn: AsyncConnection, *, phase: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = [experiments.c.phase == phase] if phase else []
    total = (
        await conn.execute(select(func.count()).select_from(experiments).where(*where))
    ).scalar_one()
    rows = await conn.execute(
        select(
            experiments.c.experiment_id,
            experiments.c.name,
            experiments.c.phase,
            experiments.c.created_at,
            experiments.c.updated_at,
            experiments.c.winner,
            experiments.c.results,
        )
        .where(*where)
        .order_by(experiments.c.created_at.desc(), experiments.c.experiment_id)
        .limit(limit)
        .offset(offset)
    )
    items = []
    for row in rows:
        found = _row(row)
        items.append({**found, "verdicts": verdicts_of(found.pop("results"))})
    return items, int(total)


async def get_experiment(conn: AsyncConnection, experiment_id: UUID) -> dict[str, Any] | None:
    row = (
        await conn.execute(select(experiments).where(experiments.c.experiment_id == experiment_id))
    ).first()
    if row is None:
        return None
    phases = await conn.execute(
        select(experiment_phases.c.phase, experiment_phases.c.at, experiment_phases.c.version)
        .where(experiment_phases.c.experiment_id == experiment_id)
        .order_by(experiment_phases.c.version)
    )
    return {**_row(row), "phase_history": [_row(p) for p in phases]}


async def stream_audit(
    conn: AsyncConnection, stream_id: str, *, after_version: int, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(audit_log)
        .where(audit_log.c.stream_id == stream_id, audit_log.c.version > after_version)
        .order_by(audit_log.c.version)
        .limit(limit)
    )
    return [_row(r) for r in rows]


async def command_outcome(conn: AsyncConnection, command_id: UUID) -> dict[str, Any] | None:
    row = (
        await conn.execute(
            select(command_outcomes).where(command_outcomes.c.command_id == command_id)
        )
    ).first()
    return _row(row) if row else None


async def variants_of(conn: AsyncConnection, experiment_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(experiment_variants)
        .where(experiment_variants.c.experiment_id == experiment_id)
        .order_by(experiment_variants.c.position)
    )
    return [_row(r) for r in rows]


async def variant(conn: AsyncConnection, experiment_id: UUID, name: str) -> dict[str, Any] | None:
    row = (
        await conn.execute(
            select(experiment_variants).where(
                experiment_variants.c.experiment_id == experiment_id,
                experiment_variants.c.variant == name,
            )
        )
    ).first()
    return _row(row) if row else None


async def experiment_results(conn: AsyncConnection, experiment_id: UUID) -> dict[str, Any] | None:
    """The results read model: per variant its measures, intervals and verdict, and the winner."""
    found = (
        await conn.execute(select(experiments).where(experiments.c.experiment_id == experiment_id))
    ).first()
    if found is None:
        return None
    return results_view(_row(found), await variants_of(conn, experiment_id))


async def list_pipelines(
    conn: AsyncConnection, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    total = (await conn.execute(select(func.count()).select_from(pipelines))).scalar_one()
    rows = await conn.execute(
        select(pipelines).order_by(pipelines.c.name).limit(limit).offset(offset)
    )
    return [_row(r) for r in rows], int(total)


async def get_pipeline(conn: AsyncConnection, name: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(pipelines).where(pipelines.c.name == name))).first()
    if row is None:
        return None
    versions = await conn.execute(
        select(*(c for c in pipeline_versions.c if c.name != "config"))
        .where(pipeline_versions.c.name == name)
        .order_by(pipeline_versions.c.version)
    )
    return {**_row(row), "versions": [_row(v) for v in versions]}


async def pipeline_version(conn: AsyncConnection, name: str, version: int) -> dict[str, Any] | None:
    row = (
        await conn.execute(
            select(pipeline_versions).where(
                pipeline_versions.c.name == name, pipeline_versions.c.version == version
            )
        )
    ).first()
    if row is None:
        return None
    used = await conn.execute(
        select(
            experiments.c.experiment_id,
            experiments.c.name,
            experiments.c.phase,
            experiment_variants.c.variant,
            experiment_variants.c.role,
            experiment_variants.c.verdict,
        )
        .join(experiments, experiments.c.experiment_id == experiment_variants.c.experiment_id)
        .where(experiment_variants.c.pipeline == f"{name}@{version}")
        .order_by(experiments.c.created_at, experiments.c.experiment_id)
    )
    return {**_row(row), "used_by": [_row(u) for u in used]}
