"""The real collector beside the evaluator on the same input: datapoints per CPU-second.

Run (needs the test collector: scripts/build-otelcol): uv run python -m bench.collector_vs_evaluator
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import psutil

from adapters.collector.binary import find_otelcol
from adapters.collector.process import CollectorProcess
from adapters.embedded.ports import free_port
from adapters.otlp_sink import OtlpSink
from bench.harness import console, machine, table
from domain.telemetry.model import Batch, datapoint_count
from gateway.pipeline_cli import DEFAULT_CRITICAL
from pipelines.evaluator import Evaluator
from pipelines.render import render, render_config
from simulator.fleet import Fleet
from simulator.otlp import OtlpHttpExporter

TEMPLATES = ("process-priority-filter-v1", "process-aggregated-v1")


async def collector_rate(
    binary: Path, template: str, batches: list[Batch], expected_out: int
) -> float:
    sink = OtlpSink()
    await sink.start()
    receiver, health = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(
            render(
                template,
                {
                    "critical_processes": DEFAULT_CRITICAL,
                    "receivers": ["otlp"],
                    "otlp_receiver_endpoint": f"127.0.0.1:{receiver}",
                    "otlp_endpoint": sink.endpoint,
                    "health_check_endpoint": f"127.0.0.1:{health}",
                    "variant": "bench",
                },
            )
        )
        collector = CollectorProcess(
            binary, config, f"http://127.0.0.1:{health}/", Path(tmp) / "log"
        )
        await asyncio.to_thread(collector.start)
        process = psutil.Process(collector.pid)
        before = process.cpu_times()
        exporter = OtlpHttpExporter(f"http://127.0.0.1:{receiver}")
        for batch in batches:
            await exporter.export(batch)
        await exporter.close()
        await sink.wait_for_datapoints("local", "bench", expected_out, within=120)
        after = process.cpu_times()
        await asyncio.to_thread(collector.stop)
    await sink.stop()
    received = sink.window("local", "bench").datapoints
    if received < expected_out:
        raise RuntimeError(
            f"{template}: the collector sent {received} of {expected_out} datapoints"
        )
    cpu = (after.user + after.system) - (before.user + before.system)
    return float(sum(datapoint_count(b) for b in batches) / cpu)


def evaluator_rate(template: str, batches: list[Batch]) -> tuple[float, int]:
    evaluator = Evaluator(render_config(template, {"critical_processes": DEFAULT_CRITICAL}))
    started = time.process_time()
    out = [evaluator.run(b) for b in batches]
    cpu = time.process_time() - started
    return float(sum(datapoint_count(b) for b in batches) / cpu), sum(
        datapoint_count(b) for b in out
    )


async def main() -> None:
    binary = find_otelcol()
    if binary is None:
        raise SystemExit(
            "no test collector: run scripts/build-otelcol (it needs Go) or set PHOENIX_OTELCOL"
        )
    batches = [
        b for _, bs in Fleet("realistic", 50, seed=1).run(duration_s=60, interval_s=10) for b in bs
    ]
    rows = []
    for template in TEMPLATES:
        ours, out = evaluator_rate(template, batches)
        real = await collector_rate(binary, template, batches, out)
        rows.append([template, f"{real:,.0f}", f"{ours:,.0f}", f"{ours / real:.2f}"])
    total = sum(datapoint_count(b) for b in batches)
    table(
        f"Datapoints per CPU-second, {total:,} datapoints from 50 realistic hosts ({machine()})",
        ["template", "real collector", "evaluator", "evaluator / collector"],
        rows,
    )
    console.print(
        "Collector CPU is its process's user+system time from the first request to the last output;\nit includes OTLP decoding, the pipeline, batching and OTLP encoding. The evaluator's is its pipeline alone."
    )


if __name__ == "__main__":
    asyncio.run(main())
