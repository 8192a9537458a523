"""The simulator's telemetry reaches an OTLP/HTTP receiver and a Prometheus scraper intact."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from adapters.embedded.ports import free_port
from domain.telemetry.model import Batch, series_of
from simulator.fleet import Fleet
from simulator.otlp import OtlpHttpExporter
from simulator.prometheus import BatchCollector, serve
from simulator.scrape import ALL_METRICS


def first_batch() -> Batch:
    [(_, [batch])] = list(
        Fleet("realistic", 1, seed=11, metrics=ALL_METRICS).run(duration_s=10, interval_s=10)
    )
    return batch


async def test_a_batch_sent_as_otlp_http_arrives_with_every_series_and_value(
    otlp_received: tuple[str, list[Batch]],
) -> None:
    endpoint, received = otlp_received
    batch = first_batch()
    exporter = OtlpHttpExporter(endpoint, headers={"x-phoenix-variant": "baseline"})
    await exporter.export(batch)
    await exporter.close()
    [got] = received
    assert sorted(series_of(got)) == sorted(series_of(batch))
    values = {
        (rm.resource, m.name, p.attributes): (p.value, p.is_int)
        for b in (batch,)
        for rm in b
        for m in rm.metrics
        for p in m.points
    }
    assert {
        (rm.resource, m.name, p.attributes): (p.value, p.is_int)
        for rm in got
        for m in rm.metrics
        for p in m.points
    } == values


async def test_the_prometheus_endpoint_exposes_one_sample_per_series() -> None:
    batch = first_batch()
    collector = BatchCollector()
    collector.update(batch)
    port = free_port()
    server = serve(collector, port)
    try:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    finally:
        server.shutdown()
    samples = [
        s
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name.startswith("process_")
    ]
    assert len(samples) == len(list(series_of(batch)))
    cpu = [s for s in samples if s.name == "process_cpu_time_seconds_total"]
    assert {s.labels["state"] for s in cpu} == {"user", "system", "wait"}
    assert all("process_pid" in s.labels for s in cpu)
