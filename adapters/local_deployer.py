"""The `local` deployer: each variant's config runs in Phoenix's evaluator over the simulated load."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import yaml

from adapters.otlp_sink import OtlpSink
from domain.telemetry.model import Batch
from handlers.ports import Deployment, DeploymentError, Overhead
from pipelines.evaluator import Evaluator, EvaluatorError

Key = tuple[UUID, str]


class LocalDeployer:
    """Every load batch goes through every deployed variant; the outputs go to the sink."""

    def __init__(self, sink: OtlpSink) -> None:
        self.sink = sink
        self.running: dict[Key, Evaluator] = {}
        sink.load_listeners.append(self.feed)

    async def deploy(self, experiment_id: UUID, variant: str, config: str) -> Deployment:
        key = (experiment_id, variant)
        if key not in self.running:
            try:
                parsed = yaml.safe_load(config)
                self.running[key] = Evaluator(parsed, started_at=time.time_ns())
            except (yaml.YAMLError, EvaluatorError, TypeError, AttributeError) as exc:
                raise DeploymentError(f"the evaluator cannot run this config: {exc}") from exc
        return Deployment(experiment_id, variant, {"deployer": "local"})

    async def overhead(self, experiment_id: UUID, variant: str) -> Overhead | None:
        return None  # an evaluator in Phoenix's process is not a collector to measure

    async def teardown(self, experiment_id: UUID, variant: str) -> None:
        self.running.pop((experiment_id, variant), None)
        self.sink.forget(str(experiment_id), variant)

    async def teardown_all(self) -> None:
        for experiment_id, variant in list(self.running):
            await self.teardown(experiment_id, variant)

    async def feed(self, batches: list[Batch], at: int) -> None:
        """Run one scrape of the load through every variant deployed now."""
        running = list(self.running.items())
        if not running:
            return

        def evaluate() -> list[tuple[Key, Batch]]:
            return [(key, e.run(batch)) for key, e in running for batch in batches]

        outputs = await asyncio.to_thread(evaluate)
        for (experiment_id, variant), out in outputs:
            if (experiment_id, variant) in self.running:  # not torn down meanwhile
                await self.sink.record(str(experiment_id), variant, out, at)
        await self.sink.notify()
