"""The read model on PostgreSQL: the projections' tables, queried."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from projections import queries
from projections.read_model import Row


class PostgresReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def list_experiments(
        self, *, phase: str | None, limit: int, offset: int
    ) -> tuple[list[Row], int]:
        async with self.engine.connect() as conn:
            return await queries.list_experiments(conn, phase=phase, limit=limit, offset=offset)

    async def get_experiment(self, experiment_id: UUID) -> Row | None:
        async with self.engine.connect() as conn:
            return await queries.get_experiment(conn, experiment_id)

    async def stream_audit(self, stream_id: str, *, after_version: int, limit: int) -> list[Row]:
        async with self.engine.connect() as conn:
            return await queries.stream_audit(
                conn, stream_id, after_version=after_version, limit=limit
            )

    async def command_outcome(self, command_id: UUID) -> Row | None:
        async with self.engine.connect() as conn:
            return await queries.command_outcome(conn, command_id)

    async def variant(self, experiment_id: UUID, name: str) -> Row | None:
        async with self.engine.connect() as conn:
            return await queries.variant(conn, experiment_id, name)

    async def experiment_results(self, experiment_id: UUID) -> Row | None:
        async with self.engine.connect() as conn:
            return await queries.experiment_results(conn, experiment_id)

    async def list_pipelines(self, *, limit: int, offset: int) -> tuple[list[Row], int]:
        async with self.engine.connect() as conn:
            return await queries.list_pipelines(conn, limit=limit, offset=offset)

    async def get_pipeline(self, name: str) -> Row | None:
        async with self.engine.connect() as conn:
            return await queries.get_pipeline(conn, name)

    async def pipeline_version(self, name: str, version: int) -> Row | None:
        async with self.engine.connect() as conn:
            return await queries.pipeline_version(conn, name, version)
