"""One experiment's variants measured twice on the same data: by Phoenix's own sink (the `local`
source) and through a real Prometheus (the `prometheus` source).

Simulated hosts are scraped every 10 s over a window that has just ended, each variant's config
(a catalog template, wired for Prometheus) run by Phoenix's evaluator; each host's output is
recorded locally as arriving when that host scraped, and sent to Prometheus over OTLP. The window
starts on a 10 s boundary, so a rolled-up point's aligned timestamp stays in its scrape's interval
and both sources cut the same data into the same intervals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from adapters.embedded.prometheus_server import EmbeddedPrometheus
from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.measured_intervals import InMemoryIntervals
from adapters.otlp_sink import unlabelled
from adapters.prometheus.source import PrometheusMetricsSource
from domain.analysis.windows import VariantWindow
from pipelines import yaml_text
from pipelines.evaluator import Evaluator
from pipelines.recommend import top_by_cpu
from pipelines.render import render
from simulator.fleet import Fleet
from simulator.otlp import OtlpHttpExporter
from tests.contracts.experiments import CRITICAL, experiment

INTERVAL_S = 10
NANOS = 1_000_000_000
TEMPLATES = {
    "baseline": "process-baseline-v1",
    "aggregated": "process-aggregated-v1",
    "topk": "process-topk-v1",
    "minimal": "process-minimal-v1",
}


@dataclass
class MeasuredTwice:
    """The experiment, its window, and both sources over the same data."""

    experiment_id: UUID
    start: datetime
    end: datetime
    intervals: int
    local: LocalMetricsSource
    prometheus: PrometheusMetricsSource
    points_sent: int

    async def windows(self, variant: str) -> tuple[VariantWindow, VariantWindow]:
        """The variant's window by the local source and by Prometheus."""
        span: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "intervals": self.intervals,
            "critical_processes": CRITICAL,
        }
        return (
            await self.local.window(self.experiment_id, variant, **span),
            await self.prometheus.window(self.experiment_id, variant, **span),
        )


async def measure_twice(
    prometheus: EmbeddedPrometheus, *, profile: str, hosts: int, minutes: int, seed: int = 7
) -> MeasuredTwice:
    seconds = minutes * 60
    # Ended a minute ago: Prometheus takes samples from the recent past, never the future.
    begin = (int(time.time()) - seconds - 60) // INTERVAL_S * INTERVAL_S
    start = datetime.fromtimestamp(begin, tz=UTC)
    store = InMemoryEventStore()
    xid = await experiment(store, at=start, seconds=seconds)
    recorder = IntervalRecorder(store, InMemoryIntervals())
    fleet = Fleet(profile, hosts, seed=seed, start=(begin - 120) * NANOS)
    first = fleet.scrape(begin * NANOS - INTERVAL_S * NANOS)
    evaluators = {
        name: Evaluator(
            yaml_text.load(render(template, variables(xid, name, prometheus, first))),
            started_at=(begin - 120) * NANOS,
        )
        for name, template in TEMPLATES.items()
    }
    exporter = OtlpHttpExporter(prometheus.otlp_url)
    sent = 0
    try:
        for step in range(seconds // INTERVAL_S):
            for batch in fleet.scrape((begin + step * INTERVAL_S) * NANOS):
                when = min(p.time_unix_nano for rm in batch for m in rm.metrics for p in m.points)
                for name, evaluator in evaluators.items():
                    output = evaluator.run(batch)
                    await recorder.record(str(xid), name, unlabelled(output), when)
                    if output:
                        await exporter.export(output)
                        sent += sum(len(m.points) for rm in output for m in rm.metrics)
    finally:
        await exporter.close()
    await recorder.flush(everything=True)
    return MeasuredTwice(
        xid,
        start,
        datetime.fromtimestamp(begin + seconds, tz=UTC),
        seconds // INTERVAL_S,
        LocalMetricsSource(recorder),
        await PrometheusMetricsSource.connect(prometheus.url),
        sent,
    )


def variables(
    xid: UUID, variant: str, prometheus: EmbeddedPrometheus, first: list[Any]
) -> dict[str, Any]:
    wired: dict[str, Any] = {
        "experiment_id": str(xid),
        "variant": variant,
        "receivers": ["otlp"],
        "collection_interval": f"{INTERVAL_S}s",
        "critical_processes": list(CRITICAL),
        "prometheus_otlp_endpoint": prometheus.otlp_url,
    }
    if TEMPLATES[variant] == "process-topk-v1":
        wired["keep_command_lines"] = top_by_cpu(first, 5)
    return wired
