"""Where Phoenix measures the variants, from Settings: its own sink, or a Prometheus (one it is
given, or one it starts under its data dir when a build is found).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from adapters.embedded.prometheus_server import EmbeddedPrometheus, find_prometheus
from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.prometheus.api import PrometheusUnavailable
from adapters.prometheus.source import PrometheusMetricsSource
from adapters.settings import METRICS_SOURCES, Settings
from handlers.ports import MetricsSource

__all__ = ["METRICS_SOURCES", "Measuring", "MetricsSourceUnavailable", "measuring"]


class MetricsSourceUnavailable(RuntimeError):
    """The chosen metrics source cannot be used; the message says what is missing."""


@dataclass
class Measuring:
    """The metrics source, and the Prometheus behind it (if any): where collectors send."""

    source: MetricsSource
    prometheus_url: str | None = None
    prometheus_otlp_url: str | None = None
    embedded: EmbeddedPrometheus | None = None

    async def stop(self) -> None:
        if isinstance(self.source, PrometheusMetricsSource):
            await self.source.close()
        if self.embedded is not None:
            await asyncio.to_thread(self.embedded.stop)


def _scrape_targets(settings: Settings) -> list[str]:
    """Phoenix's own /metrics, for the Prometheus it starts (when it listens on a known port,
    in plain HTTP, without a token).
    """
    if settings.api_port == 0 or settings.api_tls_cert or not settings.metrics_public:
        return []
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::") else settings.api_host
    return [f"{host}:{settings.api_port}"]


async def measuring(settings: Settings, recorder: IntervalRecorder) -> Measuring:
    if settings.metrics_source == "local":
        return Measuring(LocalMetricsSource(recorder))
    if settings.metrics_source != "prometheus":
        raise MetricsSourceUnavailable(
            f"PHOENIX_METRICS_SOURCE={settings.metrics_source!r}: use one of "
            f"{', '.join(METRICS_SOURCES)}"
        )
    embedded = None
    url = settings.prometheus_url
    if url is None:
        binaries = find_prometheus()
        if binaries is None:
            raise MetricsSourceUnavailable(
                "the prometheus metrics source needs PHOENIX_PROMETHEUS_URL (a Prometheus 3 with "
                "the OTLP receiver on), or a Prometheus Phoenix can start: run "
                "scripts/build-prometheus (it needs Go) or set PHOENIX_PROMETHEUS_BIN"
            )
        embedded = EmbeddedPrometheus(
            settings.data_dir / "prometheus",
            binaries,
            port=settings.prometheus_port,
            scrape=_scrape_targets(settings),
        )
        await asyncio.to_thread(embedded.start)
        url = embedded.url
        logging.getLogger(__name__).debug("started Prometheus on %s", url)
    try:
        source = await PrometheusMetricsSource.connect(url)
    except PrometheusUnavailable as exc:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
        raise MetricsSourceUnavailable(str(exc)) from exc
    return Measuring(
        source,
        prometheus_url=url,
        prometheus_otlp_url=settings.prometheus_otlp_url or f"{url.rstrip('/')}/api/v1/otlp",
        embedded=embedded,
    )
