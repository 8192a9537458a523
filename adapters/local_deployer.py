"""The `local` deployer: each variant's config runs in Phoenix's evaluator over the simulated load."""

from __future__ import annotations

import asyncio
import logging
import time
from uuid import UUID

import httpx
import yaml

from adapters.otlp_sink import OtlpSink
from domain.analysis.windows import Overhead
from domain.experiment.spec import Target
from domain.ids import derived_id
from domain.telemetry.model import Batch
from handlers.ports import Deployment, DeploymentError
from pipelines import yaml_text
from pipelines.evaluator import Evaluator, EvaluatorError
from pipelines.wiring import PROMETHEUS_EXPORTER
from simulator.fleet import Fleet
from simulator.otlp import OtlpHttpExporter

Key = tuple[UUID, str]
log = logging.getLogger(__name__)


def prometheus_endpoint(config: dict[str, object]) -> str | None:
    """Where the config also sends its output when Phoenix measures through Prometheus."""
    exporters = config.get("exporters")
    found = exporters.get(PROMETHEUS_EXPORTER) if isinstance(exporters, dict) else None
    endpoint = found.get("endpoint") if isinstance(found, dict) else None
    return str(endpoint) if endpoint else None


def scrape_phase(key: Key, interval_ns: int) -> int:
    """Where in each interval a variant's simulated collector scrapes: fixed per variant."""
    return derived_id("scrape-phase", *key).int % max(1, interval_ns)


class LocalDeployer:
    """Every load batch goes through every deployed variant; the outputs go to the sink, and to
    the Prometheus a wired config names (as the collector's exporter would send them).
    """

    def __init__(self, sink: OtlpSink) -> None:
        self.sink = sink
        self.running: dict[Key, Evaluator] = {}
        self.forward: dict[Key, OtlpHttpExporter] = {}
        self._exporters: dict[str, OtlpHttpExporter] = {}
        self._scraped: dict[int, int] = {}  # each fleet's last scrape time (ns)
        sink.load_listeners.append(self.feed)

    async def deploy(
        self, experiment_id: UUID, variant: str, config: str, *, target: Target | None = None
    ) -> Deployment:
        """An evaluator in Phoenix's process over the simulated fleet (``target`` is moot)."""
        key = (experiment_id, variant)
        if key not in self.running:
            try:
                parsed = yaml_text.load(config)
                self.running[key] = Evaluator(parsed, started_at=time.time_ns())
            except (yaml.YAMLError, EvaluatorError, TypeError, AttributeError) as exc:
                raise DeploymentError(f"the evaluator cannot run this config: {exc}") from exc
            if (endpoint := prometheus_endpoint(parsed)) is not None:
                if endpoint not in self._exporters:
                    self._exporters[endpoint] = OtlpHttpExporter(endpoint)
                self.forward[key] = self._exporters[endpoint]
        return Deployment(experiment_id, variant, {"deployer": "local"})

    async def overhead(self, experiment_id: UUID, variant: str) -> Overhead | None:
        return None  # an evaluator in Phoenix's process is not a collector to measure

    async def teardown(self, experiment_id: UUID, variant: str) -> None:
        self.running.pop((experiment_id, variant), None)
        self.forward.pop((experiment_id, variant), None)
        self.sink.forget(str(experiment_id), variant)

    async def teardown_all(self) -> None:
        for experiment_id, variant in list(self.running):
            await self.teardown(experiment_id, variant)
        for exporter in self._exporters.values():
            await exporter.close()
        self._exporters.clear()

    async def _deliver(self, key: Key, output: Batch, at: int) -> None:
        """The variant's output to the sink, and on to its Prometheus: a Prometheus that is down
        loses that variant's points there (as a collector's would), never the sink's.
        """
        await self.sink.record(str(key[0]), key[1], output, at)
        exporter = self.forward.get(key)
        if exporter is not None and output:
            try:
                await exporter.export(output)
            except (RuntimeError, OSError, httpx.HTTPError) as exc:
                log.warning("variant %s could not send to Prometheus: %s", key[1], exc)

    async def scrape_each(
        self, fleet: Fleet, at: int, interval_s: float
    ) -> list[tuple[Key, int, list[Batch]]]:
        """Each deployed variant scrapes the fleet at its own moment of the interval, as a real
        collector does on its own clock (short-lived processes are then seen by some variants
        and not others); returns every variant's scrape: (variant, when, batches).
        """
        interval_ns = int(interval_s * 1e9)
        running = sorted(self.running.items(), key=lambda item: scrape_phase(item[0], interval_ns))
        if not running:
            return []

        def scrape_and_evaluate() -> list[tuple[Key, int, list[Batch], list[Batch]]]:
            done = []
            for key, evaluator in running:  # in phase order: the fleet's time moves forward
                # A tick that came a little early must not take the fleet back in time.
                when = max(at + scrape_phase(key, interval_ns), self._scraped.get(id(fleet), 0) + 1)
                self._scraped[id(fleet)] = when
                batches = fleet.scrape(when)
                done.append((key, when, batches, [evaluator.run(b) for b in batches]))
            return done

        scraped = await asyncio.to_thread(scrape_and_evaluate)
        for key, when, _, outputs in scraped:
            if key in self.running:
                for out in outputs:
                    await self._deliver(key, out, when)
        await self.sink.notify()
        return [(key, when, batches) for key, when, batches, _ in scraped]

    async def feed(self, batches: list[Batch], at: int) -> None:
        """Run one scrape of the load through every variant deployed now (load sent over OTLP
        is one scrape; every variant sees the same one).
        """
        running = list(self.running.items())
        if not running:
            return

        def evaluate() -> list[tuple[Key, Batch]]:
            return [(key, e.run(batch)) for key, e in running for batch in batches]

        outputs = await asyncio.to_thread(evaluate)
        for key, out in outputs:
            if key in self.running:  # not torn down meanwhile
                await self._deliver(key, out, at)
        await self.sink.notify()
