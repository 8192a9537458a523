"""Shared bench plumbing: a fresh migrated database on embedded (or configured) servers, and tables."""

from __future__ import annotations

import contextlib
import platform
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.embedded.servers import Servers
from adapters.postgres.engine import create_database, create_engine, drop_database, with_database
from adapters.postgres.migrate import upgrade
from adapters.settings import Settings

console = Console(width=120)


@contextlib.asynccontextmanager
async def stack() -> AsyncIterator[tuple[Servers, str]]:
    """Servers (embedded unless PHOENIX_* URLs are set) and the URL of a fresh, migrated database."""
    with tempfile.TemporaryDirectory(prefix="phoenix-bench-") as tmp:
        servers = Servers.start(Settings.from_env(data_dir=Path(tmp)))
        admin = create_engine(servers.database_url, pool_size=1)
        name = f"phoenix_bench_{uuid4().hex[:8]}"
        try:
            await create_database(admin, name)
            url = with_database(servers.database_url, name)
            engine = create_engine(url, pool_size=2)
            await upgrade(engine)
            await engine.dispose()
            yield servers, url
        finally:
            await drop_database(admin, name)
            await admin.dispose()
            servers.stop()


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    out = Table(title=title)
    for column in columns:
        out.add_column(column, justify="right" if column != columns[0] else "left")
    for row in rows:
        out.add_row(*row)
    console.print(out)


async def engine_for(url: str, size: int) -> AsyncEngine:
    return create_engine(url, pool_size=size, max_overflow=0)
