"""The audit view: every event of a stream with its actor, causation and correlation."""

from __future__ import annotations

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.messages import RecordedEvent
from projections.tables import audit_log


class AuditProjector:
    name = "audit"
    tables: tuple[Table, ...] = (audit_log,)

    async def apply(self, conn: AsyncConnection, event: RecordedEvent) -> None:
        meta = event.metadata
        await conn.execute(
            insert(audit_log).values(
                position=event.position,
                stream_id=event.stream_id,
                version=event.version,
                event_id=event.event_id,
                type=event.type,
                actor=meta.actor,
                command_id=meta.command_id,
                correlation_id=meta.correlation_id,
                causation_id=meta.causation_id,
                occurred_at=meta.occurred_at,
                data=event.data,
            )
        )
