"""Choosing where variants are measured: the sink by default, Prometheus when asked, and a clear
refusal when no Prometheus can be had.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.measured_intervals import InMemoryIntervals
from adapters.settings import Settings
from gateway.measuring import MetricsSourceUnavailable, measuring


def recorder() -> IntervalRecorder:
    return IntervalRecorder(InMemoryEventStore(), InMemoryIntervals())


async def test_phoenix_measures_with_its_own_sink_by_default(tmp_path: Path) -> None:
    measured = await measuring(Settings(data_dir=tmp_path), recorder())
    assert isinstance(measured.source, LocalMetricsSource)
    assert measured.prometheus_otlp_url is None


async def test_an_unknown_metrics_source_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(MetricsSourceUnavailable, match="use one of local, prometheus"):
        await measuring(Settings(data_dir=tmp_path, metrics_source="graphite"), recorder())


async def test_prometheus_without_a_url_or_a_build_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOENIX_PROMETHEUS_BIN", str(tmp_path / "nothing here"))
    with pytest.raises(MetricsSourceUnavailable, match=r"PHOENIX_PROMETHEUS_URL.*build-prometheus"):
        await measuring(Settings(data_dir=tmp_path, metrics_source="prometheus"), recorder())


def test_the_prometheus_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOENIX_METRICS_SOURCE", "prometheus")
    monkeypatch.setenv("PHOENIX_PROMETHEUS_URL", "http://prom:9090")
    monkeypatch.setenv("PHOENIX_PROMETHEUS_OTLP_URL", "http://prom.monitoring:9090/api/v1/otlp")
    settings = Settings.from_env()
    assert (settings.metrics_source, settings.prometheus_url, settings.prometheus_otlp_url) == (
        "prometheus",
        "http://prom:9090",
        "http://prom.monitoring:9090/api/v1/otlp",
    )
