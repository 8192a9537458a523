"""What a projector is: a name, the tables it owns, and how one event changes them."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.messages import RecordedEvent


class Projector(Protocol):
    name: str
    tables: tuple[Table, ...]

    async def apply(self, conn: AsyncConnection, event: RecordedEvent) -> None:
        """Change the tables for one event, inside the runner's transaction."""
        ...
