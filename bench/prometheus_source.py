"""How long a verdict's measurements take through Prometheus, beside Phoenix's own sink, and what
each source counts on the same data.

Simulated hosts at a 10 s interval over a window that just ended; every catalog variant the
equivalence test runs (tests/measured_twice.py); each variant's window read by the `prometheus`
source (PromQL on a real Prometheus on loopback) and by the `local` source (the sink's intervals,
in memory) — the baseline of the ratio, measured in the same run.

    uv run python -m bench.prometheus_source [--hosts 20] [--minutes 10] [--profile realistic]

Needs scripts/build-prometheus's binaries (or PHOENIX_PROMETHEUS_BIN).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.embedded.prometheus_server import EmbeddedPrometheus, find_prometheus
from bench.harness import machine, table
from tests.measured_twice import TEMPLATES, measure_twice


async def main(hosts: int, minutes: int, profile: str) -> None:
    binaries = find_prometheus()
    if binaries is None:
        raise SystemExit(
            "no Prometheus: run scripts/build-prometheus or set PHOENIX_PROMETHEUS_BIN"
        )
    with tempfile.TemporaryDirectory(prefix="phoenix-bench-prom-") as tmp:
        prometheus = EmbeddedPrometheus(Path(tmp), binaries)
        prometheus.start()
        try:
            began = time.perf_counter()
            twice = await measure_twice(prometheus, profile=profile, hosts=hosts, minutes=minutes)
            loaded = time.perf_counter() - began
            span: dict[str, Any] = {
                "start": twice.start,
                "end": twice.end,
                "intervals": twice.intervals,
                "critical_processes": ("^postgres$",),
            }
            rows = []
            local_total = prometheus_total = 0.0
            for name in TEMPLATES:
                t0 = time.perf_counter()
                local = await twice.local.window(twice.experiment_id, name, **span)
                t1 = time.perf_counter()
                remote = await twice.prometheus.window(twice.experiment_id, name, **span)
                t2 = time.perf_counter()
                local_total += t1 - t0
                prometheus_total += t2 - t1
                rows.append(
                    [
                        name,
                        str(local.series),
                        str(remote.series),
                        str(local.datapoints),
                        str(remote.datapoints),
                        str(len(local.critical)),
                        str(len(remote.critical)),
                        f"{(t2 - t1) * 1000:.0f}",
                        f"{(t1 - t0) * 1000:.0f}",
                    ]
                )
            await twice.prometheus.close()
        finally:
            prometheus.stop()
    table(
        f"{profile}, {hosts} hosts, {minutes} min at 10 s ({twice.intervals} intervals); "
        f"{twice.points_sent} points sent in {loaded:.0f} s; {machine()}",
        [
            "variant",
            "series local",
            "series prom",
            "points local",
            "points prom",
            "critical local",
            "critical prom",
            "prom ms",
            "local ms",
        ],
        rows,
    )
    print(
        f"every variant's window: prometheus {prometheus_total:.2f} s, local {local_total:.2f} s, "
        f"ratio {prometheus_total / local_total:.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--profile", default="realistic")
    args = parser.parse_args()
    asyncio.run(main(args.hosts, args.minutes, args.profile))
