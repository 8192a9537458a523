"""What the API routes are given: the read model, the store, the bus, and the servers behind them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.auth.service_identity import ServiceTokens
from adapters.metrics import Metrics
from adapters.nats.bus import NatsBus
from adapters.nats.consumer import DeadLetterStore, MessageBus
from adapters.observed_baseline import ObservedBaselines
from adapters.wakeup import Broadcast
from handlers.ports import Authenticator, EventStore, MetricsSource
from projections.read_model import ReadModel


@dataclass(frozen=True)
class Backends:
    """The servers /readyz and /metrics look into (absent when the API runs on fakes)."""

    engine: AsyncEngine
    nats: NatsBus


@dataclass(frozen=True)
class ApiDeps:
    read: ReadModel
    store: EventStore
    bus: MessageBus
    metrics: Metrics
    authenticator: Authenticator
    dead_letters: DeadLetterStore
    backends: Backends | None = None
    service: ServiceTokens | None = None  # re-drives a dead service command on an admin's behalf
    metrics_public: bool = True  # /metrics without a token
    command_rate_limit: str = "20/second"  # per subject
    observed: ObservedBaselines | None = None  # what baselines emitted, for recommendations
    source: MetricsSource | None = None  # where variants are measured, for the live charts
    log_grew: Broadcast | None = None  # set when the bus says events were appended
