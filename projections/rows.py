"""Where a projector's changes go: statement by statement, or folded in memory for a replay."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import Table, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

Key = tuple[Any, ...]
Write = Callable[[AsyncConnection, Table, list[dict[str, Any]]], Awaitable[None]]


class Rows(Protocol):
    """The changes a projector makes to its tables, each by primary key."""

    async def insert(self, table: Table, *rows: dict[str, Any]) -> None:
        """New rows (a second one with the same primary key is an error)."""
        ...

    async def append(self, table: Table, row: dict[str, Any]) -> None:
        """A new row in a table whose rows are never changed afterwards (a history)."""
        ...

    async def update(self, table: Table, key: Key, values: dict[str, Any]) -> None:
        """Change the row whose primary key is ``key``; nothing if there is none."""
        ...

    async def add(self, table: Table, row: dict[str, Any], column: str) -> None:
        """Insert the row, or add its ``column`` to that of the row already there."""
        ...


_KEYS: dict[str, list[str]] = {}


def primary_key(table: Table) -> list[str]:
    if table.name not in _KEYS:
        _KEYS[table.name] = [c.name for c in table.primary_key.columns]
    return _KEYS[table.name]


class Statements:
    """Each change as a statement on the connection, in the runner's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def insert(self, table: Table, *rows: dict[str, Any]) -> None:
        await self.conn.execute(_inserts(table), list(rows) if len(rows) > 1 else rows[0])

    async def append(self, table: Table, row: dict[str, Any]) -> None:
        await self.conn.execute(_inserts(table), row)

    async def update(self, table: Table, key: Key, values: dict[str, Any]) -> None:
        where = [
            table.c[name] == value for name, value in zip(primary_key(table), key, strict=True)
        ]
        await self.conn.execute(update(table).where(*where).values(**values))

    async def add(self, table: Table, row: dict[str, Any], column: str) -> None:
        await self.conn.execute(_adding(table, column), row)


class Folded:
    """Every change kept in memory, by table and primary key, and written once at the end:
    a replay of the whole log makes one statement per few thousand rows, not one per change.
    Appended rows are written as they pile up (a history can be as long as the log).
    """

    APPEND_BATCH = 10_000

    def __init__(self, conn: AsyncConnection, write: Write) -> None:
        self.conn = conn
        self._write = write  # a table's rows in bulk (the adapter's COPY)
        self.tables: dict[Table, dict[Key, dict[str, Any]]] = {}
        self.appended: dict[Table, list[dict[str, Any]]] = {}

    async def insert(self, table: Table, *rows: dict[str, Any]) -> None:
        held = self._rows(table)
        for row in rows:
            key = _key_of(table, row)
            if key in held:
                raise DuplicateRow(f"{table.name}: a row with the key {key} exists already")
            held[key] = dict(row)

    async def append(self, table: Table, row: dict[str, Any]) -> None:
        pending = self.appended.setdefault(table, [])
        pending.append(row)
        if len(pending) >= self.APPEND_BATCH:
            await self._write(self.conn, table, pending)
            pending.clear()

    async def update(self, table: Table, key: Key, values: dict[str, Any]) -> None:
        row = self._rows(table).get(key)
        if row is not None:
            row.update(values)

    async def add(self, table: Table, row: dict[str, Any], column: str) -> None:
        rows, key = self._rows(table), _key_of(table, row)
        there = rows.get(key)
        if there is None:
            rows[key] = dict(row)
        else:
            there[column] += row[column]

    async def write(self) -> None:
        """Write what is held."""
        for table, pending in self.appended.items():
            await self._write(self.conn, table, pending)
        for table, rows in self.tables.items():
            await self._write(self.conn, table, list(rows.values()))
        self.tables.clear()
        self.appended.clear()

    def _rows(self, table: Table) -> dict[Key, dict[str, Any]]:
        return self.tables.setdefault(table, {})


class DuplicateRow(ValueError):
    """Two inserts of one primary key: what PostgreSQL would refuse, refused in memory too."""


def _key_of(table: Table, row: dict[str, Any]) -> Key:
    return tuple(row[name] for name in primary_key(table))


_INSERTS: dict[str, Any] = {}
_ADDING: dict[tuple[str, str], Any] = {}


def _inserts(table: Table) -> Any:
    """The table's insert, built once (built per event otherwise)."""
    if table.name not in _INSERTS:
        _INSERTS[table.name] = insert(table)
    return _INSERTS[table.name]


def _adding(table: Table, column: str) -> Any:
    if (table.name, column) not in _ADDING:
        statement = pg_insert(table)
        _ADDING[(table.name, column)] = statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in primary_key(table)],
            set_={column: table.c[column] + statement.excluded[column]},
        )
    return _ADDING[(table.name, column)]
