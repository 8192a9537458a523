"""Promotion into a pipeline: the winner's production config becomes the pipeline's next version,
promoted with the experiment as its cause, and the GitOps commit carries the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import yaml

from domain.experiment import commands as cmd
from domain.experiment.phase import Phase
from domain.identity import Identity, Role
from domain.mapper import to_envelope, to_event
from domain.messages import CommandEnvelope, CommandMetadata
from domain.pipeline import commands as pipeline
from domain.pipeline import events as pev
from domain.pipeline.decide import pipeline_stream, sha256_of
from handlers.promotion import CONFIG_DIR
from tests.contracts.experiments import VARIANTS, experiment
from tests.in_memory import InMemoryPhoenix, experiment_id, in_memory_phoenix
from tests.pipeline_configs import DROPS_DISK_AND_VIRTUAL_MEMORY, user_config
from tests.unit.test_pipeline_registry import Registry

NOW = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)  # any date: nothing here reads the wall clock
FAST = user_config(interval="250ms")
LEAN = user_config(DROPS_DISK_AND_VIRTUAL_MEMORY, interval="250ms")
ADMIN = (Role.OPERATOR, Role.ADMIN)


async def completed(world: InMemoryPhoenix, xid: Any, candidate: dict[str, Any]) -> None:
    await world.send(pipeline.RegisterPipeline(name="fast", config=FAST))
    await world.send(pipeline.RegisterPipeline(name="lean", config=LEAN))
    create = cmd.CreateExperiment.model_validate(
        {
            "experiment_id": xid,
            "name": "promote into a pipeline",
            "baseline": {"name": "base", "pipeline": "fast@1"},
            "candidates": [candidate],
            "duration_seconds": 3,
            "critical_processes": ["^postgres$"],
        }
    )
    await world.start(create)
    done = await world.observe_window(xid, hosts=1)
    assert done.phase is Phase.COMPLETED, done.reason


async def lean_promoted_into_fast(world: InMemoryPhoenix, xid: Any) -> None:
    """An experiment of the pipeline lean against fast, completed, and lean promoted (by an
    admin's override: a one-host window is too short for a verdict to rely on).
    """
    await completed(world, xid, {"name": "lean", "pipeline": "lean"})
    await world.send(
        cmd.PromoteVariant(
            experiment_id=xid, variant="lean", override=True, override_reason="as measured"
        ),
        roles=ADMIN,
    )


async def pipeline_events(world: InMemoryPhoenix, name: str) -> list[Any]:
    return [to_event(e) for e in await world.store.read_stream(pipeline_stream(name))]


def committed(world: InMemoryPhoenix) -> str:
    branch = next(b for b in world.gitops.branches if b != "main")
    return world.gitops.files(branch)[f"{CONFIG_DIR}/config.yaml"]


async def test_a_winning_registered_pipeline_becomes_the_baseline_pipeline_s_next_version() -> None:
    xid = experiment_id("promote-a-pipeline")
    async with in_memory_phoenix(NOW) as world:
        await lean_promoted_into_fast(world, xid)
        state = await world.state(xid)
        assert state.promoted == "lean"
        *_, added, promoted = await pipeline_events(world, "fast")
        assert isinstance(added, pev.PipelineVersionAdded)
        assert (added.version, added.sha256) == (2, sha256_of(LEAN))
        assert added.note == f"promoted from experiment {xid} (variant lean)"
        assert promoted == pev.PipelinePromoted(
            name="fast", version=2, experiment_id=xid, variant="lean", commit_id=state.commit_id
        )
        assert committed(world) == LEAN  # the user's own bytes, not the experiment's wiring


async def test_a_winning_template_is_spliced_into_the_baseline_pipeline_s_config() -> None:
    xid = experiment_id("promote-a-template")
    async with in_memory_phoenix(NOW) as world:
        await completed(
            world,
            xid,
            {
                "name": "aggregated",
                "template": "process-aggregated-v1",
                "variables": {"collection_interval": "250ms"},
            },
        )
        await world.send(
            cmd.PromoteVariant(
                experiment_id=xid, variant="aggregated", override=True, override_reason="tried"
            ),
            roles=ADMIN,
        )
        assert (await world.state(xid)).promoted == "aggregated"
        *_, added, promoted = await pipeline_events(world, "fast")
        assert isinstance(added, pev.PipelineVersionAdded) and added.version == 2
        assert isinstance(promoted, pev.PipelinePromoted) and promoted.version == 2
        config = yaml.safe_load(added.config)
        assert config["exporters"] == yaml.safe_load(FAST)["exporters"]
        processors = config["service"]["pipelines"]["metrics"]["processors"]
        assert len(processors) > 1 and processors[-1] == "batch"
        assert committed(world) == added.config


async def test_promotion_into_a_pipeline_is_recorded_once_per_experiment() -> None:
    registry = Registry()
    await registry.send(pipeline.RegisterPipeline(name="prod", config=FAST))
    xid = experiment_id("once")
    promote = pipeline.PromotePipelineVersion(
        name="prod", config=LEAN, experiment_id=xid, variant="lean", commit_id="abcdef1"
    )
    first = await registry.handler.handle(*_as_service(promote))
    again = await registry.handler.handle(*_as_service(promote))
    assert first.result == "accepted" and again.result == "accepted"
    events = await registry.events("prod")
    assert [type(e).__name__ for e in events] == [
        "PipelineRegistered",
        "PipelineVersionAdded",
        "PipelineVersionAdded",
        "PipelinePromoted",
    ]
    # Bytes the pipeline holds already: that version is promoted, none is added.
    other = experiment_id("other")
    same = promote.model_copy(update={"config": FAST, "experiment_id": other})
    await registry.handler.handle(*_as_service(same))
    *_, last = await registry.events("prod")
    assert last == pev.PipelinePromoted(
        name="prod", version=1, experiment_id=other, variant="lean", commit_id="abcdef1"
    )


def _as_service(command: Any) -> tuple[CommandEnvelope, Identity]:
    envelope = to_envelope(command, command_id=uuid4(), metadata=CommandMetadata())
    return envelope, Identity("reactor:promotion", frozenset({Role.SERVICE}))


async def test_a_promotion_into_a_pipeline_that_does_not_exist_is_refused() -> None:
    xid = experiment_id("promote-nowhere")
    async with in_memory_phoenix(NOW) as world:
        await completed(world, xid, {"name": "lean", "pipeline": "lean"})
        await world.send(
            cmd.PromoteVariant(
                experiment_id=xid,
                variant="lean",
                override=True,
                override_reason="as measured",
                to_pipeline="nowhere",
            ),
            roles=ADMIN,
        )
        assert (await world.state(xid)).promotion_requested is None


async def test_a_template_winner_over_a_template_baseline_is_not_made_a_pipeline_version() -> None:
    registry = Registry()
    await registry.send(pipeline.RegisterPipeline(name="prod", config=FAST))
    xid = await experiment(registry.store, at=NOW, completed=True)
    envelope = to_envelope(
        cmd.PromoteVariant(
            experiment_id=xid,
            variant=VARIANTS[1],
            override=True,
            override_reason="try",
            to_pipeline="prod",
        ),
        command_id=uuid4(),
        metadata=CommandMetadata(),
    )
    refused = await registry.handler.handle(envelope, Identity("ada", frozenset(ADMIN)))
    assert refused.result == "rejected"
    assert "runs a template and the baseline too" in str(refused.reason)


async def test_the_promotion_commit_carries_the_winner_as_a_process_pipeline_to_apply() -> None:
    xid = experiment_id("promote-as-manifests")
    async with in_memory_phoenix(NOW) as world:
        await lean_promoted_into_fast(world, xid)
        branch = next(b for b in world.gitops.branches if b != "main")
        files = world.gitops.files(branch)

        kustomization = yaml.safe_load(files[f"{CONFIG_DIR}/kustomization.yaml"])
        assert kustomization["resources"] == ["processpipeline.yaml"]
        manifest = yaml.safe_load(files[f"{CONFIG_DIR}/processpipeline.yaml"])
        assert (manifest["apiVersion"], manifest["kind"]) == (
            "phoenix.io/v1alpha1",
            "ProcessPipeline",
        )
        assert manifest["metadata"]["name"] == "fast"  # the pipeline it becomes a version of
        assert manifest["metadata"]["labels"]["phoenix.io/experiment-promoted"] == str(xid)
        assert manifest["spec"] == {"config": LEAN}  # fleet-wide: no node selector
