"""What the API routes are given: the database, the store, the bus and the metrics."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.metrics import Metrics
from adapters.nats.bus import NatsBus
from adapters.postgres.event_store import PostgresEventStore


@dataclass(frozen=True)
class ApiDeps:
    engine: AsyncEngine
    store: PostgresEventStore
    bus: NatsBus
    metrics: Metrics
