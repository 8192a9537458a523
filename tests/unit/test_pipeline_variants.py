"""Experiments on registered pipelines: each variant pinned to the exact bytes, wired, predicted."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import yaml

from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.phase import Phase, Verdict
from domain.ids import experiment_stream
from domain.mapper import to_event
from domain.pipeline import commands as pipeline
from handlers.command_handler import CommandHandler, CommandResult
from handlers.pipeline_refs import PipelineRefs
from tests.in_memory import SAMPLE, experiment_id, in_memory_phoenix
from tests.pipeline_configs import DROPS_DISK_AND_VIRTUAL_MEMORY, DROPS_POSTGRES, user_config
from tests.unit.test_pipeline_registry import Registry

NOW = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)  # any date: nothing here reads the wall clock
PROD = user_config()
LEAN = user_config(DROPS_DISK_AND_VIRTUAL_MEMORY)
RISKY = user_config(DROPS_POSTGRES)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def spec(baseline: str = "prod", *candidates: str, **more: Any) -> dict[str, Any]:
    return {
        "name": "my pipelines",
        "baseline": {"name": "base", "pipeline": baseline},
        "candidates": [
            {"name": f"c{i}", "pipeline": ref} for i, ref in enumerate(candidates or ("lean",))
        ],
        "duration_seconds": 600,
        "critical_processes": ["^postgres$", "^nginx$"],
        **more,
    }


class Pipelines(Registry):
    """The registry with prod (versions 1 and 2), lean and risky registered; predictions on."""

    def __init__(self) -> None:
        super().__init__()
        self.handler = CommandHandler(
            self.store, self.handler.clock, pin=PipelineRefs(self.store, SAMPLE)
        )

    async def setup(self) -> Pipelines:
        await self.send(pipeline.RegisterPipeline(name="prod", config=PROD))
        await self.send(pipeline.RevisePipeline(name="prod", config=user_config(interval="20s")))
        await self.send(pipeline.RegisterPipeline(name="lean", config=LEAN))
        await self.send(pipeline.RegisterPipeline(name="risky", config=RISKY))
        return self

    async def create(self, data: dict[str, Any]) -> CommandResult:
        return await self.send(cmd.CreateExperiment.model_validate(data))

    async def created(self, result: CommandResult) -> ev.ExperimentCreated:
        assert result.result == "accepted", result.reason
        first = to_event(result.events[0])
        assert isinstance(first, ev.ExperimentCreated)
        return first


async def test_a_variant_on_a_name_is_pinned_to_its_latest_version_and_hash_at_creation() -> None:
    registry = await Pipelines().setup()
    created = await registry.created(await registry.create(spec("prod", "lean@1")))
    baseline, [candidate] = created.spec.baseline, created.spec.candidates
    assert (baseline.pipeline, baseline.sha256) == ("prod@2", sha(user_config(interval="20s")))
    assert (candidate.pipeline, candidate.sha256) == ("lean@1", sha(LEAN))


async def test_a_version_that_does_not_exist_is_refused_with_the_variant_s_path() -> None:
    refused = await (await Pipelines().setup()).create(spec("prod@3"))
    assert refused.result == "rejected"
    assert refused.reason == "baseline (base): pipeline prod has no version 3 (its latest is 2)"


async def test_an_unregistered_pipeline_is_refused() -> None:
    refused = await (await Pipelines().setup()).create(spec("prod", "nope"))
    assert refused.reason == "candidates[0] (c0): no pipeline nope is registered"


async def test_a_hash_given_must_be_the_version_s() -> None:
    data = spec("prod@1")
    data["baseline"]["sha256"] = sha(LEAN)
    refused = await (await Pipelines().setup()).create(data)
    assert refused.reason == (
        f"baseline (base): pipeline prod@1 holds sha256 {sha(PROD)}, not the {sha(LEAN)} given"
    )


async def test_a_deprecated_pipeline_takes_no_new_experiments() -> None:
    registry = await Pipelines().setup()
    await registry.send(pipeline.DeprecatePipeline(name="lean", reason="superseded by leaner"))
    refused = await registry.create(spec())
    assert refused.reason == "candidates[0] (c0): pipeline lean is deprecated: superseded by leaner"


async def test_a_pipeline_phoenix_cannot_wire_is_refused_with_the_reason() -> None:
    registry = await Pipelines().setup()
    config = yaml.safe_load(PROD)
    config["receivers"]["hostmetrics"]["scrapers"] = {"memory": {}}
    await registry.send(pipeline.RegisterPipeline(name="hosts", config=yaml.safe_dump(config)))
    refused = await registry.create(spec("prod", "hosts"))
    assert str(refused.reason).startswith(
        "candidates[0] (c0): Phoenix cannot run pipeline hosts@1: receivers: no hostmetrics "
        "receiver with the process scraper"
    )


async def test_a_candidate_predicted_to_lose_a_critical_process_is_refused_naming_it() -> None:
    registry = await Pipelines().setup()
    refused = await registry.create(spec("prod", "lean", "risky"))
    assert refused.result == "rejected"
    assert str(refused.reason).startswith("candidates[1] (c1): predicted critical loss: postgres x")
    assert "would be dropped or aggregated away by pipeline risky@1 on simulated load" in str(
        refused.reason
    )
    assert await registry.store.read_stream(experiment_stream(refused.command_id)) == []


async def test_a_candidate_predicted_to_lose_one_runs_when_the_experiment_allows_it() -> None:
    registry = await Pipelines().setup()
    await registry.created(await registry.create(spec("prod", "risky", allow_critical_loss=True)))


async def test_a_baseline_is_not_judged_by_prediction() -> None:
    registry = await Pipelines().setup()
    await registry.created(await registry.create(spec("risky", "lean")))


def on_pipelines(xid: object, *candidates: str, allow: bool = False) -> cmd.CreateExperiment:
    return cmd.CreateExperiment.model_validate(
        {
            **spec("fast", *candidates, allow_critical_loss=allow),
            "experiment_id": xid,
            "duration_seconds": 3,
        }
    )


async def register(world: Any, name: str, config: str) -> None:
    await world.send(pipeline.RegisterPipeline(name=name, config=config))


async def test_an_experiment_on_registered_pipelines_runs_their_exact_bytes_to_a_verdict() -> None:
    xid = experiment_id("on-pipelines")
    async with in_memory_phoenix(NOW) as world:
        fast = user_config(interval="250ms")
        await register(world, "fast", fast)
        await register(world, "lean", user_config(DROPS_DISK_AND_VIRTUAL_MEMORY, interval="250ms"))
        await register(world, "risky", user_config(DROPS_POSTGRES, interval="250ms"))
        await world.start(on_pipelines(xid, "lean", "risky", allow=True))
        running = await world.state(xid)
        assert running.phase is Phase.RUNNING, running.reason
        for generated in running.configs:
            ref = next(
                r
                for r in (running.spec.baseline, *running.spec.candidates)
                if r.name == generated.variant
            )
            headers = yaml.safe_load(generated.config)["exporters"]["otlphttp/phoenix"]["headers"]
            assert headers["x-phoenix-pipeline"] == ref.pipeline
            assert headers["x-phoenix-pipeline-sha256"] == ref.sha256
        assert running.spec.baseline.sha256 == sha(fast)

        done = await world.observe_window(xid, hosts=2)
        assert done.phase is Phase.COMPLETED, done.reason
        verdicts = {r.variant: r for r in done.results}
        # Two of four metrics dropped: disk.io has two series a process, cpu.time three.
        assert verdicts["c0"].measures.series_reduction == 0.4286
        assert verdicts["c0"].measures.critical_retention == 1
        assert verdicts["c1"].verdict is Verdict.REJECT
        assert any("lost postgres" in r for r in verdicts["c1"].reasons), verdicts["c1"].reasons


async def test_a_template_beside_a_registered_baseline_runs_on_the_baseline_s_config() -> None:
    xid = experiment_id("template-on-a-pipeline")
    labelled = user_config(
        {
            "resource": {
                "attributes": [
                    {"key": "deployment.environment", "value": "production", "action": "upsert"}
                ]
            }
        },
        interval="250ms",
    )
    async with in_memory_phoenix(NOW) as world:
        await register(world, "labelled", labelled)
        create = cmd.CreateExperiment.model_validate(
            {
                "experiment_id": xid,
                "name": "a template on my pipeline",
                "baseline": {"name": "base", "pipeline": "labelled"},
                "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
                "duration_seconds": 3,
                "critical_processes": ["^postgres$", "^nginx$"],
            }
        )
        await world.start(create)
        running = await world.state(xid)
        assert running.phase is Phase.RUNNING, running.reason
        generated = yaml.safe_load(next(c.config for c in running.configs if c.variant == "agg"))
        processors = generated["service"]["pipelines"]["metrics"]["processors"]
        assert "resource" in processors and processors[-1] == "batch"
        assert generated["receivers"]["hostmetrics"]["collection_interval"] == "250ms"

        done = await world.observe_window(xid, hosts=2)
        [agg] = done.results
        # The user's attribute is on both sides: the databases are kept, not "lost".
        assert agg.measures.critical_retention == 1, agg.reasons
