"""What a projector is: a name, the tables it owns, and how one event changes them."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Table

from domain.messages import RecordedEvent
from projections.rows import Rows


class Projector(Protocol):
    name: str
    tables: tuple[Table, ...]

    async def apply(self, rows: Rows, event: RecordedEvent) -> None:
        """Change the tables for one event (in the runner's transaction, or in memory while
        the whole log is replayed).
        """
        ...
