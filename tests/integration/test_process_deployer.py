"""Two real collectors side by side on this host: both scrape its processes, both are measured."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from pathlib import Path
from uuid import uuid4

from adapters.collector.deployer import ProcessDeployer
from adapters.embedded.ports import free_port
from adapters.embedded.servers import Servers
from adapters.otlp_sink import OtlpSink
from domain.telemetry.model import Attributes, Batch, resource_value
from pipelines.render import render
from tests.waiting import eventually

CRITICAL = ["^postgres$"]  # the embedded PostgreSQL of the test session runs on this host


async def test_two_real_collectors_run_side_by_side_for_a_minute(
    otelcol: Path, servers: Servers, tmp_path: Path
) -> None:
    sink = OtlpSink()
    # Which processes each variant reported, as its batches arrive (the sink keeps counts only).
    resources: dict[str, set[Attributes]] = defaultdict(set)
    record = sink.record

    async def recording(experiment: str, variant: str, batch: Batch, at: int) -> None:
        resources[variant] |= {rm.resource for rm in batch}
        await record(experiment, variant, batch, at)

    sink.record = recording  # type: ignore[method-assign]
    await sink.start()
    deployer = ProcessDeployer(otelcol, tmp_path)
    experiment = uuid4()
    try:
        for variant, template in (
            ("baseline", "process-baseline-v1"),
            ("aggregated", "process-aggregated-v1"),
        ):
            health = free_port()
            config = render(
                template,
                {
                    "experiment_id": str(experiment),
                    "variant": variant,
                    "otlp_endpoint": sink.endpoint,
                    "health_check_endpoint": f"127.0.0.1:{health}",
                    "collection_interval": "5s",
                    "critical_processes": CRITICAL,
                },
            )
            deployed = await deployer.deploy(experiment, variant, config)
            assert deployed.details["deployer"] == "process"
        started = time.monotonic()

        async def both_reporting() -> int:
            return min(
                sink.window(str(experiment), v).datapoints for v in ("baseline", "aggregated")
            )

        await eventually(both_reporting, deadline=30)
        await asyncio.sleep(
            max(0.0, 60 - (time.monotonic() - started))
        )  # the run itself: one minute
        overhead = {v: await deployer.overhead(experiment, v) for v in ("baseline", "aggregated")}
    finally:
        await deployer.teardown_all()
        await sink.stop()

    baseline = sink.window(str(experiment), "baseline")
    aggregated = sink.window(str(experiment), "aggregated")
    assert baseline.cardinality > aggregated.cardinality > 0
    postgres_pids = {
        resource_value(r, "process.pid")
        for r in resources["baseline"]
        if resource_value(r, "process.executable.name") == "postgres"
    }
    kept = {
        resource_value(r, "process.pid")
        for r in resources["aggregated"]
        if resource_value(r, "process.executable.name") == "postgres"
    }
    assert postgres_pids
    assert kept == postgres_pids, "every critical process keeps its identity in the candidate"
    for measured in overhead.values():
        assert measured is not None
        assert measured.resident_bytes > 10 * 1024 * 1024
        assert 0 <= measured.cpu_cores < 2
    print(
        f"\nseries baseline {baseline.cardinality} aggregated {aggregated.cardinality}; "
        + "; ".join(
            f"{v}: {o.cpu_cores * 100:.2f}% of a core, {o.resident_bytes / 2**20:.0f} MiB"
            for v, o in overhead.items()
            if o is not None
        )
    )
