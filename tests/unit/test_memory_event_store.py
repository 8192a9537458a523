"""The in-memory event store keeps the same contract as the Postgres one."""

from __future__ import annotations

import pytest

from adapters.memory.event_store import InMemoryEventStore
from tests.contracts.event_store import EventStoreContract


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryEventStore:
        return InMemoryEventStore()
