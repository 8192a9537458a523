"""Closed measurement intervals in PostgreSQL: merged on write, so a restart loses nothing."""

from __future__ import annotations

from array import array
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.measured_intervals import Interval, Key, StoredInterval
from adapters.postgres.schema import measured_intervals


class PostgresIntervals:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def merge(self, intervals: dict[Key, Interval]) -> None:
        async with self.engine.begin() as conn:
            for key, interval in intervals.items():
                await _merge(conn, key, interval)

    async def load(self, experiment_id: UUID, variant: str) -> dict[int, Interval]:
        query = select(measured_intervals).where(
            measured_intervals.c.experiment_id == experiment_id,
            measured_intervals.c.variant == variant,
        )
        async with self.engine.connect() as conn:
            return {row._mapping["index"]: _loaded(row) for row in await conn.execute(query)}

    async def each(self, experiment_id: UUID, variant: str) -> AsyncIterator[StoredInterval]:
        query = (
            select(measured_intervals)
            .where(
                measured_intervals.c.experiment_id == experiment_id,
                measured_intervals.c.variant == variant,
            )
            .order_by(measured_intervals.c.index)
        )
        async with self.engine.connect() as conn:
            # A server-side cursor, a few rows at a time: never the whole window in memory.
            rows = await conn.stream(query.execution_options(yield_per=4))
            async for row in rows:
                yield StoredInterval(
                    row._mapping["index"],
                    np.frombuffer(row.series, dtype=np.uint64),  # as _packed wrote them
                    int(row.datapoints),
                    _critical(row),
                )


def _packed(series: set[int]) -> bytes:
    return array("Q", sorted(series)).tobytes()


def _loaded(row: Any) -> Interval:
    series = array("Q")
    series.frombytes(row.series)
    return Interval(series=set(series), datapoints=int(row.datapoints), critical=_critical(row))


def _critical(row: Any) -> set[Any]:
    return {tuple(tuple(pair) for pair in resource) for resource in row.critical}


async def _merge(conn: Any, key: Key, interval: Interval) -> None:
    experiment_id, variant, index = key
    stored = (
        await conn.execute(
            select(measured_intervals)
            .where(
                measured_intervals.c.experiment_id == experiment_id,
                measured_intervals.c.variant == variant,
                measured_intervals.c.index == index,
            )
            .with_for_update()
        )
    ).first()
    merged = Interval()
    if stored is not None:
        merged.merge(_loaded(stored))
    merged.merge(interval)
    values = {
        "series": _packed(merged.series),
        "datapoints": merged.datapoints,
        "critical": [list(map(list, resource)) for resource in sorted(merged.critical, key=repr)],
    }
    statement = insert(measured_intervals).values(
        experiment_id=experiment_id, variant=variant, index=index, **values
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["experiment_id", "variant", "index"], set_=values
        )
    )
