"""SQLAlchemy async engines for Phoenix's database, and database-level admin helpers."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def _json_default(value: Any) -> Any:
    return str(value)


def json_text(value: Any) -> str:
    """A value as the engine writes it to a JSON column."""
    return json.dumps(value, default=_json_default)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=kwargs.pop("pool_size", 10),
        max_overflow=kwargs.pop("max_overflow", 10),
        pool_pre_ping=False,
        json_serializer=json_text,
        **kwargs,
    )


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def create_database(admin: AsyncEngine, name: str, *, template: str | None = None) -> None:
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        suffix = f' TEMPLATE "{template}"' if template else ""
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"{suffix}')


async def drop_database(admin: AsyncEngine, name: str) -> None:
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
