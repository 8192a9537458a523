"""Config generation renders and validates every variant, or fails the experiment saying why."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import yaml

from adapters.memory.event_store import InMemoryEventStore
from domain.experiment.phase import Phase
from domain.experiment.state import fold
from domain.ids import experiment_stream
from domain.mapper import occurred, to_event
from domain.messages import CommandEnvelope
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler
from handlers.config_generation import ConfigGeneration
from handlers.reactor import reaction_commands
from tests.identities import EVERYONE
from tests.unit.experiment_builders import NOW


async def started(candidate: dict[str, Any]) -> tuple[InMemoryEventStore, CommandHandler, str]:
    """An experiment started without admission's checks, as one created by an older Phoenix
    (or before the catalog changed) would be: config generation must still fail it cleanly.
    """
    store = InMemoryEventStore()
    handler = CommandHandler(store, FixedClock(NOW), admit=lambda _command: None)
    xid = str(uuid4())
    data = {
        "experiment_id": xid,
        "name": "x",
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [candidate],
        "duration_seconds": 60,
        "critical_processes": ["^postgres$"],
    }
    for kind, body in (("CreateExperiment", data), ("StartExperiment", {"experiment_id": xid})):
        await handler.handle(CommandEnvelope(command_id=uuid4(), type=kind, data=body), EVERYONE)
    return store, handler, xid


async def react_and_apply(store: InMemoryEventStore, handler: CommandHandler, xid: str) -> Any:
    events = await store.read_stream(experiment_stream(UUID(xid)))
    reactor, started = ConfigGeneration(store), occurred(events[-1])
    for command in reaction_commands(reactor.name, started, await reactor.react(started)):
        await handler.handle(command, EVERYONE)
    return fold([to_event(e) for e in await store.read_stream(experiment_stream(UUID(xid)))])


async def test_every_variant_gets_a_rendered_valid_config_and_its_hash() -> None:
    store, handler, xid = await started({"name": "agg", "template": "process-aggregated-v1"})
    state = await react_and_apply(store, handler, xid)
    assert state.phase is Phase.DEPLOYING
    assert [c.variant for c in state.configs] == ["baseline", "agg"]
    agg = yaml.safe_load(state.configs[1].config)
    assert agg["exporters"]["otlphttp/phoenix"]["headers"] == {
        "x-phoenix-experiment": xid,
        "x-phoenix-variant": "agg",
    }
    assert "^postgres$" in state.configs[1].config


async def test_an_unknown_template_variable_fails_the_experiment_with_the_reason() -> None:
    store, handler, xid = await started(
        {"name": "agg", "template": "process-aggregated-v1", "variables": {"criticals": ["x"]}}
    )
    state = await react_and_apply(store, handler, xid)
    assert state.phase is Phase.FAILED
    assert state.reason.startswith(
        "variant agg (process-aggregated-v1): process-aggregated-v1 has no variable(s) criticals"
    )


async def test_an_unknown_template_fails_the_experiment() -> None:
    store, handler, xid = await started({"name": "odd", "template": "process-nonsense-v9"})
    state = await react_and_apply(store, handler, xid)
    assert state.phase is Phase.FAILED
    assert "unknown template 'process-nonsense-v9'" in state.reason


async def test_a_redelivered_start_event_changes_nothing_twice() -> None:
    store, handler, xid = await started({"name": "agg", "template": "process-topk-v1"})
    await react_and_apply(store, handler, xid)
    before = len(await store.read_stream(experiment_stream(UUID(xid))))
    events = await store.read_stream(experiment_stream(UUID(xid)))
    started_event = occurred(next(e for e in events if e.type == "ExperimentStarted"))
    reactor = ConfigGeneration(store)
    for command in reaction_commands(
        reactor.name, started_event, await reactor.react(started_event)
    ):
        assert (await handler.handle(command, EVERYONE)).result == "duplicate"
    assert len(await store.read_stream(experiment_stream(UUID(xid)))) == before
