"""The command outcomes read model: accepted (with its events) or rejected (with the reason)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from domain.messages import RecordedEvent
from projections.rows import Rows
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


class CommandOutcomesProjector:
    name = "command_outcomes"
    tables: tuple[Table, ...] = (command_outcomes,)

    async def apply(self, rows: Rows, event: RecordedEvent) -> None:
        row = outcome_row(event)
        if row is None:
            return
        await rows.add(command_outcomes, row, "events")
