"""The command handler turns each command into events or a readable rejection, once."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

from adapters.memory.event_store import InMemoryEventStore
from domain.ids import derived_id, experiment_stream
from domain.messages import CommandEnvelope, CommandMetadata
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler
from tests.identities import EVERYONE, OPERATOR
from tests.unit.experiment_builders import NOW


def create_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "halve it",
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
        "duration_seconds": 60,
    }
    data.update(overrides)
    return data


def envelope(kind: str, data: dict[str, Any], command_id: UUID | None = None) -> CommandEnvelope:
    return CommandEnvelope(
        command_id=command_id or uuid4(),
        type=kind,
        data=data,
        metadata=CommandMetadata(actor="mallory", roles=("admin",)),  # claims, never trusted
    )


def handler() -> tuple[CommandHandler, InMemoryEventStore]:
    store = InMemoryEventStore()
    return CommandHandler(store, FixedClock(NOW)), store


async def test_a_create_command_appends_an_event_that_remembers_who_and_why() -> None:
    h, store = handler()
    sent = envelope("CreateExperiment", create_data())
    result = await h.handle(sent, OPERATOR)
    assert result.result == "accepted"
    assert result.stream_id == experiment_stream(derived_id("experiment", sent.command_id))
    [event] = await store.read_stream(result.stream_id)
    assert event.type == "ExperimentCreated"
    assert event.metadata.command_id == sent.command_id
    assert event.metadata.causation_id == sent.command_id
    assert event.metadata.correlation_id == sent.command_id
    assert event.metadata.actor == "alice"


async def test_the_same_command_delivered_twice_has_one_effect() -> None:
    h, store = handler()
    sent = envelope("CreateExperiment", create_data())
    first, second = await h.handle(sent, EVERYONE), await h.handle(sent, EVERYONE)
    assert (first.result, second.result) == ("accepted", "duplicate")
    assert await store.head_position() == 1


async def test_a_command_with_bad_fields_is_rejected_naming_each_field() -> None:
    h, store = handler()
    sent = envelope("CreateExperiment", create_data(duration_seconds=-5, name=""))
    result = await h.handle(sent, EVERYONE)
    assert result.result == "rejected"
    assert "data.duration_seconds: Input should be greater than 0" in (result.reason or "")
    assert "data.name:" in (result.reason or "")
    [rejection] = await store.read_all()
    assert rejection.type == "CommandRejected"
    assert (await store.handled_command(sent.command_id)).outcome == "rejected"  # type: ignore[union-attr]


async def test_an_unknown_command_type_is_rejected_listing_the_known_ones() -> None:
    h, _ = handler()
    result = await h.handle(envelope("LaunchRocket", {}), EVERYONE)
    assert result.result == "rejected"
    assert "unknown command type 'LaunchRocket'" in (result.reason or "")
    assert "CreateExperiment" in (result.reason or "")


async def test_a_command_the_domain_refuses_is_rejected_with_the_domains_words() -> None:
    h, _ = handler()
    created = await h.handle(envelope("CreateExperiment", create_data()), EVERYONE)
    xid = str(derived_id("experiment", created.command_id))
    result = await h.handle(envelope("CloseObservationWindow", {"experiment_id": xid}), EVERYONE)
    assert result.result == "rejected"
    assert (
        result.reason
        == "CloseObservationWindow is not allowed when the experiment is Pending: it needs Running"
    )


async def test_a_command_that_changes_nothing_is_still_answered() -> None:
    h, store = handler()
    xid = uuid4()
    await h.handle(envelope("CreateExperiment", create_data(experiment_id=str(xid))), EVERYONE)
    await h.handle(envelope("StartExperiment", {"experiment_id": str(xid)}), EVERYONE)
    sha = "a" * 64
    configs = [{"variant": v, "config": "x", "sha256": sha} for v in ("baseline", "agg")]
    await h.handle(
        envelope("RecordConfigsGenerated", {"experiment_id": str(xid), "configs": configs}),
        EVERYONE,
    )
    deployed = {"experiment_id": str(xid), "variant": "baseline"}
    await h.handle(envelope("RecordVariantDeployed", deployed), EVERYONE)
    again = await h.handle(envelope("RecordVariantDeployed", deployed), EVERYONE)
    assert again.result == "accepted"
    assert [e.type for e in again.events] == ["CommandHadNoEffect"]
    assert len(await store.read_stream(experiment_stream(xid))) == 4


async def test_commands_racing_on_one_experiment_are_each_applied_exactly_once() -> None:
    h, store = handler()
    xid = uuid4()
    await h.handle(envelope("CreateExperiment", create_data(experiment_id=str(xid))), EVERYONE)
    start = envelope("StartExperiment", {"experiment_id": str(xid)})
    results = await asyncio.gather(*(h.handle(start, EVERYONE) for _ in range(5)))
    assert sorted(r.result for r in results).count("accepted") == 1
    assert [e.type for e in await store.read_stream(experiment_stream(xid))] == [
        "ExperimentCreated",
        "ExperimentStarted",
    ]
