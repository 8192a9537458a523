"""Where a real collector is at hand, a pipeline version is registered only if it would start."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from adapters.collector.check import OtelcolCheck
from adapters.memory.event_store import InMemoryEventStore
from domain.identity import Identity, Role
from domain.mapper import to_envelope, to_event
from domain.messages import CommandMetadata
from domain.pipeline import commands as pipeline
from domain.pipeline.events import PipelineVersionAdded
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler, CommandResult
from handlers.pipeline_refs import PipelineRefs
from pipelines.validator import validate_text
from pipelines.wiring import wire
from tests.pipeline_configs import user_config

AT = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)
# Phoenix's own validator knows these keys and types; only the collector knows the spike limit
# must be below the limit.
SPIKY = user_config(
    {"memory_limiter": {"check_interval": "1s", "limit_mib": 100, "spike_limit_mib": 200}}
)


async def register(otelcol: Path, config: str) -> CommandResult:
    store = InMemoryEventStore()
    handler = CommandHandler(
        store, FixedClock(AT), pin=PipelineRefs(store, collector=OtelcolCheck(otelcol))
    )
    envelope = to_envelope(
        pipeline.RegisterPipeline(name="prod", config=config),
        command_id=uuid4(),
        metadata=CommandMetadata(),
    )
    return await handler.handle(envelope, Identity("ada", frozenset({Role.OPERATOR})))


async def test_a_config_the_collector_would_not_start_is_refused_with_what_it_said(
    otelcol: Path,
) -> None:
    validate_text(wire(SPIKY, {"experiment_id": "x", "variant": "v"}))  # Phoenix's check passes
    refused = await register(otelcol, SPIKY)
    assert refused.result == "rejected"
    assert refused.reason == (
        "config: the collector (otelcol validate) refuses it: processors::memory_limiter: "
        "'spike_limit_mib' must be smaller than 'limit_mib'"
    )


async def test_a_config_the_collector_starts_is_registered_saying_what_checked_it(
    otelcol: Path,
) -> None:
    registered = await register(otelcol, user_config())
    assert registered.result == "accepted"
    [_, version] = [to_event(e) for e in registered.events]
    assert isinstance(version, PipelineVersionAdded)
    assert version.validated_by == ("phoenix validator", "otelcol validate")
