"""Dead letters in memory, for unit tests: what was set aside, and why."""

from __future__ import annotations

from adapters.nats.consumer import Delivery


class InMemoryDeadLetters:
    def __init__(self) -> None:
        self.letters: list[tuple[Delivery, str]] = []

    async def record(self, delivery: Delivery, error: str) -> None:
        self.letters.append((delivery, error))
