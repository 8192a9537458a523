"""The experiments read model, as the schedulers ask it: due windows and phases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.experiment.phase import Phase
from projections.tables import experiments


class PostgresExperimentIndex:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def due_windows(self, now: datetime) -> list[UUID]:
        query = select(experiments.c.experiment_id).where(
            experiments.c.phase == Phase.RUNNING.value, experiments.c.window_ends_at <= now
        )
        async with self.engine.connect() as conn:
            return [row[0] for row in await conn.execute(query)]

    async def in_phases(self, phases: Sequence[Phase]) -> list[UUID]:
        query = select(experiments.c.experiment_id).where(
            experiments.c.phase.in_([p.value for p in phases])
        )
        async with self.engine.connect() as conn:
            return [row[0] for row in await conn.execute(query)]
