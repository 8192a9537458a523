"""Users' own pipelines: registered once per name, versioned by content, validated before recorded."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from adapters.memory.event_store import InMemoryEventStore
from domain.identity import Identity, Role
from domain.mapper import to_envelope, to_event
from domain.messages import Command, CommandEnvelope, CommandMetadata
from domain.pipeline import commands as cmd
from domain.pipeline import events as ev
from domain.pipeline.decide import pipeline_stream, sha256_of
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler, CommandResult
from pipelines.render import render
from tests.identities import OPERATOR
from tests.unit.experiment_builders import NOW

MINE = render("process-aggregated-v1", {"critical_processes": ["^postgres$"]})
THEIRS = render("process-topk-v1", {"critical_processes": ["^postgres$"]})


class Registry:
    """The command handler on an in-memory store, sending as one person."""

    def __init__(self) -> None:
        self.store = InMemoryEventStore()
        self.handler = CommandHandler(self.store, FixedClock(NOW))

    async def send(self, command: Command, actor: str = "alice") -> CommandResult:
        envelope = to_envelope(command, command_id=uuid4(), metadata=CommandMetadata())
        return await self.handler.handle(envelope, Identity(actor, frozenset({Role.OPERATOR})))

    async def events(self, name: str) -> list[object]:
        return [to_event(e) for e in await self.store.read_stream(pipeline_stream(name))]


async def test_a_valid_config_is_registered_as_version_1_with_its_hash_and_owner() -> None:
    registry = Registry()
    result = await registry.send(
        cmd.RegisterPipeline(name="prod", config=MINE, labels={"team": "sre"})
    )
    assert result.result == "accepted", result.reason
    registered, version = await registry.events("prod")
    assert registered == ev.PipelineRegistered(name="prod", owner="alice", labels={"team": "sre"})
    assert isinstance(version, ev.PipelineVersionAdded)
    assert (version.version, version.sha256, version.config) == (1, sha256_of(MINE), MINE)


async def test_the_same_bytes_registered_twice_are_one_version() -> None:
    registry = Registry()
    await registry.send(cmd.RegisterPipeline(name="prod", config=MINE))
    again = await registry.send(cmd.RegisterPipeline(name="prod", config=MINE), actor="bob")
    assert again.result == "accepted"
    assert len(await registry.events("prod")) == 2


async def test_other_bytes_under_a_taken_name_are_refused_pointing_at_revise() -> None:
    registry = Registry()
    await registry.send(cmd.RegisterPipeline(name="prod", config=MINE))
    refused = await registry.send(cmd.RegisterPipeline(name="prod", config=THEIRS))
    assert refused.result == "rejected"
    assert "the name is taken; add a version with RevisePipeline" in str(refused.reason)


async def test_an_invalid_config_is_rejected_with_each_problem_s_path_and_nothing_recorded() -> (
    None
):
    registry = Registry()
    broken = MINE.replace("error_mode: ignore", "error_mode: loud", 1)
    assert broken != MINE
    refused = await registry.send(cmd.RegisterPipeline(name="prod", config=broken))
    assert refused.result == "rejected"
    assert "config: the collector would refuse it: processors." in str(refused.reason)
    assert "error_mode: must be ignore, silent or propagate" in str(refused.reason)
    assert await registry.events("prod") == []


async def test_a_revision_is_the_next_version_and_known_bytes_change_nothing() -> None:
    registry = Registry()
    await registry.send(cmd.RegisterPipeline(name="prod", config=MINE))
    revised = await registry.send(cmd.RevisePipeline(name="prod", config=THEIRS, note="topk"))
    assert revised.result == "accepted", revised.reason
    await registry.send(cmd.RevisePipeline(name="prod", config=MINE))
    versions = [e for e in await registry.events("prod") if isinstance(e, ev.PipelineVersionAdded)]
    assert [(v.version, v.sha256, v.note) for v in versions] == [
        (1, sha256_of(MINE), ""),
        (2, sha256_of(THEIRS), "topk"),
    ]


async def test_a_deprecated_pipeline_takes_no_new_versions_and_is_deprecated_once() -> None:
    registry = Registry()
    await registry.send(cmd.RegisterPipeline(name="prod", config=MINE))
    await registry.send(cmd.DeprecatePipeline(name="prod", reason="replaced by prod2"))
    await registry.send(cmd.DeprecatePipeline(name="prod", reason="again"))
    refused = await registry.send(cmd.RevisePipeline(name="prod", config=THEIRS))
    assert refused.result == "rejected"
    assert "deprecated (replaced by prod2)" in str(refused.reason)
    kinds = [type(e).__name__ for e in await registry.events("prod")]
    assert kinds == ["PipelineRegistered", "PipelineVersionAdded", "PipelineDeprecated"]


async def test_a_revision_of_a_pipeline_nobody_registered_is_refused() -> None:
    refused = await Registry().send(cmd.RevisePipeline(name="ghost", config=MINE))
    assert refused.result == "rejected"
    assert "pipeline-ghost, which does not exist" in str(refused.reason)


async def test_a_name_that_is_not_a_dns_label_is_refused_by_the_schema() -> None:
    registry = Registry()
    envelope = CommandEnvelope(
        command_id=uuid4(), type="RegisterPipeline", data={"name": "Prod_1", "config": MINE}
    )
    refused = await registry.handler.handle(envelope, OPERATOR)
    assert refused.result == "rejected"
    assert str(refused.reason).startswith("data.name: String should match pattern")


async def test_a_template_and_its_variables_are_rendered_and_frozen_as_the_version() -> None:
    registry = Registry()
    source = cmd.FromTemplate(
        name="process-topk-v1", variables={"keep_command_lines": ["/usr/sbin/nginx"]}
    )
    result = await registry.send(cmd.RegisterPipeline(name="prod", template=source))
    assert result.result == "accepted", result.reason
    _, version = await registry.events("prod")
    assert isinstance(version, ev.PipelineVersionAdded)
    assert version.config == render("process-topk-v1", {"keep_command_lines": ["/usr/sbin/nginx"]})
    assert version.template == source  # what it was rendered from, for the record


async def test_a_template_s_variables_are_checked_with_their_path() -> None:
    registry = Registry()
    source = cmd.FromTemplate(name="process-topk-v1", variables={"collection_interval": "1ns"})
    refused = await registry.send(cmd.RegisterPipeline(name="prod", template=source))
    assert refused.result == "rejected"
    assert refused.reason == (
        "template (process-topk-v1): variables.collection_interval: 1ns is outside 100ms to 1h"
    )
    assert await registry.events("prod") == []


def test_a_version_is_a_config_or_a_template_not_both() -> None:
    with pytest.raises(ValidationError, match="give either config or template"):
        cmd.RegisterPipeline(name="prod")


async def test_what_checked_a_version_is_phoenix_s_to_say_not_the_sender_s() -> None:
    registry = Registry()
    claimed = cmd.RegisterPipeline(name="prod", config=MINE, validated_by=("a careful human",))
    assert (await registry.send(claimed)).result == "accepted"
    _, version = await registry.events("prod")
    assert isinstance(version, ev.PipelineVersionAdded)
    assert version.validated_by == ("phoenix validator",)
