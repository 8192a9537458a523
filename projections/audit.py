"""The audit view: every event of a stream with its actor, causation and correlation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from domain.messages import RecordedEvent
from projections.rows import Rows
from projections.tables import audit_log


def audit_row(event: RecordedEvent) -> dict[str, Any]:
    """An event as the audit view shows it: where, what, who, why and when."""
    meta = event.metadata
    return {
        "position": event.position,
        "stream_id": event.stream_id,
        "version": event.version,
        "event_id": event.event_id,
        "type": event.type,
        "actor": meta.actor,
        "command_id": meta.command_id,
        "correlation_id": meta.correlation_id,
        "causation_id": meta.causation_id,
        "occurred_at": meta.occurred_at,
        "data": event.data,
    }


class AuditProjector:
    name = "audit"
    tables: tuple[Table, ...] = (audit_log,)

    async def apply(self, rows: Rows, event: RecordedEvent) -> None:
        await rows.append(audit_log, audit_row(event))
