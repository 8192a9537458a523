"""The tracking port on PostgreSQL: reactor effects and named checkpoints."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres import checkpoints
from adapters.postgres.schema import reactor_effects


class PostgresTracking:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def has_tracking_id(self, consumer: str, event_id: UUID) -> bool:
        query = select(reactor_effects).filter_by(reactor=consumer, event_id=event_id)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).first() is not None

    async def track(self, consumer: str, event_id: UUID) -> None:
        row = insert(reactor_effects).values(reactor=consumer, event_id=event_id)
        async with self.engine.begin() as conn:
            await conn.execute(row.on_conflict_do_nothing())

    async def max_tracking_id(self, consumer: str) -> int:
        async with self.engine.begin() as conn:
            return await checkpoints.load(conn, consumer)

    async def track_position(self, consumer: str, position: int) -> None:
        async with self.engine.begin() as conn:
            await checkpoints.save(conn, consumer, position)
