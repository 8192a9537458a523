"""Simulated telemetry as a Prometheus exposition endpoint, the way the prometheus exporter names it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from domain.telemetry.model import Batch, MetricType

_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_UNITS = {"s": "seconds", "By": "bytes", "1": "ratio"}


def metric_name(name: str, unit: str) -> str:
    base = _INVALID.sub("_", name)
    suffix = _UNITS.get(unit)
    return f"{base}_{suffix}" if suffix and not base.endswith(suffix) else base


def label_name(key: str) -> str:
    return _INVALID.sub("_", key)


class BatchCollector:
    """Exposes the latest batch: resource and point attributes become labels."""

    def __init__(self) -> None:
        self._batch: Batch = []
        self._lock = threading.Lock()

    def update(self, batch: Batch) -> None:
        with self._lock:
            self._batch = batch

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            batch = self._batch
        families: dict[str, Any] = {}
        for rm in batch:
            resource = {label_name(k): str(v) for k, v in rm.resource}
            for m in rm.metrics:
                name = metric_name(m.name, m.unit)
                counter = m.type is MetricType.SUM and m.monotonic
                family = families.get(name)
                if family is None:
                    cls = CounterMetricFamily if counter else GaugeMetricFamily
                    family = families[name] = (
                        cls(name, m.description or m.name, labels=None),
                        counter,
                    )
                for p in m.points:
                    labels = {**resource, **{label_name(k): str(v) for k, v in p.attributes}}
                    family[0].add_sample(f"{name}_total" if counter else name, labels, p.value)
        for family, _ in families.values():
            yield family


def serve(collector: BatchCollector, port: int, address: str = "127.0.0.1") -> Any:
    """Serve /metrics on a background thread; returns the server (call shutdown() to stop)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    server, _thread = start_http_server(port, addr=address, registry=registry)
    return server
