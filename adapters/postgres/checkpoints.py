"""Named checkpoints (global positions) for the relay and the projectors."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.schema import checkpoints


async def load(conn: AsyncConnection, name: str, *, lock: bool = False) -> int:
    """The saved position (0 if none); with ``lock``, held until the transaction ends."""
    await conn.execute(insert(checkpoints).values(name=name, position=0).on_conflict_do_nothing())
    query = select(checkpoints.c.position).where(checkpoints.c.name == name)
    if lock:
        query = query.with_for_update()
    return int((await conn.execute(query)).scalar_one())


async def save(conn: AsyncConnection, name: str, position: int) -> None:
    stmt = insert(checkpoints).values(name=name, position=position)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[checkpoints.c.name],
            set_={"position": stmt.excluded.position, "updated_at": stmt.excluded.updated_at},
        )
    )


async def all_positions(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(select(checkpoints.c.name, checkpoints.c.position))
    return {name: int(position) for name, position in rows}


async def load_many(
    conn: AsyncConnection, names: list[str], *, lock: bool = False
) -> dict[str, int]:
    """The saved positions of several readers (0 for new ones), locked in name order."""
    await conn.execute(
        insert(checkpoints)
        .values([{"name": name, "position": 0} for name in names])
        .on_conflict_do_nothing()
    )
    query = (
        select(checkpoints.c.name, checkpoints.c.position)
        .where(checkpoints.c.name.in_(names))
        .order_by(checkpoints.c.name)
    )
    if lock:
        query = query.with_for_update()
    return {name: int(position) for name, position in await conn.execute(query)}


async def save_many(conn: AsyncConnection, positions: dict[str, int]) -> None:
    stmt = insert(checkpoints).values(
        [{"name": name, "position": position} for name, position in positions.items()]
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[checkpoints.c.name],
            set_={"position": stmt.excluded.position, "updated_at": stmt.excluded.updated_at},
        )
    )
