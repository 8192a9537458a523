"""Named checkpoints (global positions) for the relay and the projectors."""

from __future__ import annotations

from sqlalchemy import select, text
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


# The commit's durability is set in the same round trip (see load_many).
_LOCK_MANY = text(
    """
    SELECT c.name, c.position
    FROM checkpoints c, LATERAL (SELECT set_config('synchronous_commit', :sync, true)) s
    WHERE c.name = ANY(CAST(:names AS text[]))
    ORDER BY c.name
    FOR UPDATE OF c
    """
)
_SAVE_MANY = text(
    """
    INSERT INTO checkpoints (name, position, updated_at)
    SELECT name, position, now() FROM unnest(CAST(:names AS text[]), CAST(:positions AS bigint[]))
         AS p(name, position)
    ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()
    """
)


async def load_many(
    conn: AsyncConnection, names: list[str], *, wait_for_disk: bool = True
) -> dict[str, int]:
    """The saved positions of several readers (0 for new ones), locked in name order until
    the transaction ends. One round trip once they all exist. Without ``wait_for_disk`` the
    transaction's commit does not wait for its flush (``synchronous_commit = off``): for what
    the log can rebuild, where a crash loses the last moments of it and its checkpoint alike.
    """
    params = {"names": names, "sync": "on" if wait_for_disk else "off"}
    found = {n: int(p) for n, p in await conn.execute(_LOCK_MANY, params)}
    if len(found) < len(names):
        await conn.execute(
            insert(checkpoints)
            .values([{"name": n, "position": 0} for n in names if n not in found])
            .on_conflict_do_nothing()
        )
        found = {n: int(p) for n, p in await conn.execute(_LOCK_MANY, params)}
    return found


async def save_many(conn: AsyncConnection, positions: dict[str, int]) -> None:
    await conn.execute(
        _SAVE_MANY, {"names": list(positions), "positions": list(positions.values())}
    )
