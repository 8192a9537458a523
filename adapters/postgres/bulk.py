"""Rows written in bulk with PostgreSQL's COPY, as the engine would have inserted them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.engine import json_text


async def copy_rows(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY ``rows`` into ``table`` in the connection's transaction. A column a row does not
    name is NULL; a JSON column a row sets to None holds JSON ``null``, as an insert through
    the engine leaves them.
    """
    if not rows:
        return
    columns = [c.name for c in table.columns]
    as_json = [isinstance(c.type, JSON) for c in table.columns]
    records = [
        tuple(
            (json_text(row[name]) if name in row else None) if is_json else row.get(name)
            for name, is_json in zip(columns, as_json, strict=True)
        )
        for row in rows
    ]
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(table.name, records=records, columns=columns)
