"""The simulator's telemetry reaches an OTLP/HTTP receiver and a Prometheus scraper intact."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from litestar import Litestar, Request, post
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from prometheus_client.parser import text_string_to_metric_families

from adapters.embedded.ports import free_port
from domain.telemetry.model import Batch, series_of
from simulator.fleet import Fleet
from simulator.otlp import OtlpHttpExporter, decode
from simulator.prometheus import BatchCollector, serve
from simulator.scrape import ALL_METRICS
from tests.waiting import eventually


async def _value(v: bool) -> bool:
    return v


def first_batch() -> Batch:
    [(_, [batch])] = list(
        Fleet("realistic", 1, seed=11, metrics=ALL_METRICS).run(duration_s=10, interval_s=10)
    )
    return batch


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[Batch]]]:
    """A plain OTLP/HTTP receiver on loopback that decodes what it is sent."""
    received: list[Batch] = []

    @post("/v1/metrics", status_code=200)
    async def metrics(request: Request) -> bytes:  # type: ignore[type-arg]
        message = ExportMetricsServiceRequest()
        message.ParseFromString(await request.body())
        received.append(decode(message))
        return b""

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(Litestar([metrics]), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _value(server.started))
    yield f"http://127.0.0.1:{port}", received
    server.should_exit = True
    await task


async def test_a_batch_sent_as_otlp_http_arrives_with_every_series_and_value(
    receiver: tuple[str, list[Batch]],
) -> None:
    endpoint, received = receiver
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
