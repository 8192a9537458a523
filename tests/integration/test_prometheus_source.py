"""The `prometheus` metrics source on a real Prometheus passes the metrics-source contract: what a
variant sent over OTLP is counted per interval of the window, by series, datapoints and critical
process, exactly as Phoenix's own sink counts it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from adapters.embedded.prometheus_server import EmbeddedPrometheus
from adapters.memory.event_store import InMemoryEventStore
from adapters.prometheus.api import PrometheusUnavailable
from adapters.prometheus.source import PrometheusMetricsSource
from domain.telemetry.model import Batch, ResourceMetrics, attributes
from pipelines.wiring import EXPERIMENT_ATTRIBUTE, VARIANT_ATTRIBUTE
from simulator.otlp import OtlpHttpExporter
from tests.contracts.metrics_source import Measured, MetricsSourceContract


def labelled(batch: Batch, xid: UUID, variant: str, at: int) -> Batch:
    """The batch as a wired variant exports it: its identity on every resource, stamped ``at``."""
    identity = ((EXPERIMENT_ATTRIBUTE, str(xid)), (VARIANT_ATTRIBUTE, variant))
    return [
        ResourceMetrics(
            attributes(rm.resource + identity),
            [
                dataclasses.replace(
                    m, points=[dataclasses.replace(p, time_unix_nano=at) for p in m.points]
                )
                for m in rm.metrics
            ],
            rm.scope,
        )
        for rm in batch
    ]


class TestPrometheusMetricsSource(MetricsSourceContract):
    @pytest.fixture
    def at(self) -> datetime:
        # Prometheus refuses samples from the future and long past: a window that just ended.
        return datetime.fromtimestamp(int(time.time()) - 90, tz=UTC)

    @pytest.fixture
    async def measured(self, prometheus: EmbeddedPrometheus) -> AsyncIterator[Measured]:
        source = await PrometheusMetricsSource.connect(prometheus.url)
        exporter = OtlpHttpExporter(prometheus.otlp_url)

        async def arrive(xid: UUID, variant: str, batch: Batch, at: int) -> None:
            await exporter.export(labelled(batch, xid, variant, at))

        async def settle() -> None:
            return None  # Prometheus has committed a write before it answers it

        yield Measured(source, InMemoryEventStore(), arrive, settle)
        await exporter.close()
        await source.close()


class TestPrometheusMetricsSourceWithEscapedNames(TestPrometheusMetricsSource):
    """The same contract on a Prometheus that escapes names (its default strategy):
    ``process.pid`` is stored as ``process_pid`` and read back as ``process.pid``.
    """

    @pytest.fixture
    def prometheus(self, prometheus_binaries: Path, tmp_path: Path) -> Iterator[EmbeddedPrometheus]:
        server = EmbeddedPrometheus(tmp_path / "escaping", prometheus_binaries)
        server.config["otlp"] = {
            "promote_all_resource_attributes": True,
            "translation_strategy": "UnderscoreEscapingWithSuffixes",
        }
        server.start()
        yield server
        server.stop()

    async def test_its_labels_are_the_escaped_names(self, prometheus: EmbeddedPrometheus) -> None:
        source = await PrometheusMetricsSource.connect(prometheus.url)
        try:
            assert source.labels.name("process.executable.name") == "process_executable_name"
            assert source.labels.attribute("process_pid") == "process.pid"
        finally:
            await source.close()


async def test_a_prometheus_that_would_fold_processes_together_is_refused_with_what_to_set(
    prometheus_binaries: Path, tmp_path: Path
) -> None:
    plain = EmbeddedPrometheus(tmp_path / "plain", prometheus_binaries)
    plain.config["otlp"] = {}  # Prometheus's defaults: resource attributes stay in target_info
    plain.start()
    try:
        with pytest.raises(PrometheusUnavailable, match="promote_all_resource_attributes: true"):
            await PrometheusMetricsSource.connect(plain.url)
    finally:
        plain.stop()


async def test_an_unreachable_prometheus_says_where_it_was_looked_for() -> None:
    with pytest.raises(PrometheusUnavailable, match=r"127\.0\.0\.1:9"):
        await PrometheusMetricsSource.connect("http://127.0.0.1:9")
