"""Dead letters in memory, for unit tests: what was set aside and why, listed and re-driven."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from adapters.nats.consumer import DeadLetter, Delivery, recorded_headers


class InMemoryDeadLetters:
    def __init__(self) -> None:
        self.letters: list[tuple[Delivery, str]] = []
        self._rows: list[DeadLetter] = []

    async def record(self, delivery: Delivery, error: str) -> None:
        if any(
            r.consumer == delivery.consumer and r.stream_sequence == delivery.stream_sequence
            for r in self._rows
        ):
            return  # once per consumer and stream sequence, as in PostgreSQL
        self.letters.append((delivery, error))
        self._rows.append(
            DeadLetter(
                id=len(self._rows) + 1,
                consumer=delivery.consumer,
                subject=delivery.subject,
                message_id=delivery.message_id,
                headers=recorded_headers(delivery),
                payload=delivery.body,
                error=error,
                deliveries=delivery.delivered,
                stream_sequence=delivery.stream_sequence,
                recorded_at=datetime.now(UTC),
                redriven_at=None,
            )
        )

    async def list(self, *, include_redriven: bool = False) -> list[DeadLetter]:
        return [r for r in self._rows if include_redriven or r.redriven_at is None]

    async def get(self, dead_letter_id: int) -> DeadLetter | None:
        return next((r for r in self._rows if r.id == dead_letter_id), None)

    async def mark_redriven(self, dead_letter_id: int, actor: str) -> bool:
        row = await self.get(dead_letter_id)
        if row is None or row.redriven_at is not None:
            return False
        self._rows[row.id - 1] = dataclasses.replace(row, redriven_at=datetime.now(UTC))
        return True
