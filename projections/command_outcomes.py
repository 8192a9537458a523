"""The command outcomes read model: accepted (with its events) or rejected (with the reason)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.messages import RecordedEvent
from projections.tables import command_outcomes


def outcome_row(event: RecordedEvent) -> dict[str, Any] | None:
    """The outcome a command's first event records (None for events no command caused); each
    later event of an accepted command adds one to ``events``.
    """
    command_id = event.metadata.command_id
    if command_id is None:
        return None
    row: dict[str, Any] = {
        "command_id": command_id,
        "command_type": None,
        "outcome": "accepted",
        "reason": None,
        "stream_id": event.stream_id,
        "events": 1,
        "first_position": event.position,
        "recorded_at": event.metadata.occurred_at,
    }
    if event.type == "CommandRejected":
        row |= {
            "command_type": event.data["command_type"],
            "outcome": "rejected",
            "reason": event.data["reason"],
            "stream_id": event.data.get("target_stream"),
            "events": 0,
        }
    elif event.type == "CommandHadNoEffect":
        row |= {
            "command_type": event.data["command_type"],
            "stream_id": event.data["target_stream"],
            "events": 0,
        }
    return row


_INSERT = insert(command_outcomes)
_UPSERT = _INSERT.on_conflict_do_update(  # built once: a statement per event is built otherwise
    index_elements=[command_outcomes.c.command_id],
    set_={"events": command_outcomes.c.events + _INSERT.excluded.events},
)


class CommandOutcomesProjector:
    name = "command_outcomes"
    tables: tuple[Table, ...] = (command_outcomes,)

    async def apply(self, conn: AsyncConnection, event: RecordedEvent) -> None:
        row = outcome_row(event)
        if row is None:
            return
        await conn.execute(_UPSERT, row)
