"""Simulator and evaluator throughput, datapoints per second on one core, beside a floor loop.

Run: uv run python -m bench.evaluator
"""

from __future__ import annotations

import argparse
import time

from bench.harness import console, machine, table
from domain.telemetry.model import Batch
from gateway.pipeline_cli import DEFAULT_CRITICAL
from pipelines.catalog import catalog
from pipelines.evaluator import Evaluator
from pipelines.render import render_config
from simulator.fleet import Fleet

FLEETS = (("realistic", 100, 3), ("high-cardinality", 10, 2))


def floor(batches: list[Batch]) -> float:
    """A loop that only touches each datapoint once: the floor for any Python pass."""
    started, seen = time.perf_counter(), 0
    for batch in batches:
        for rm in batch:
            for metric in rm.metrics:
                for point in metric.points:
                    seen += point.value is not None
    return seen / (time.perf_counter() - started)


def main() -> None:
    rows = []
    for profile, hosts, scrapes in FLEETS:
        fleet = Fleet(profile, hosts, seed=1)
        started = time.perf_counter()
        batches = [b for _, bs in fleet.run(duration_s=scrapes * 10, interval_s=10) for b in bs]
        generated = sum(len(m.points) for b in batches for rm in b for m in rm.metrics)
        sim_rate = generated / (time.perf_counter() - started)
        floor_rate = floor(batches)
        rows.append(
            [f"{profile} x{hosts}", "simulator", f"{sim_rate:,.0f}", f"{sim_rate / floor_rate:.3f}"]
        )
        for name in catalog():
            variables = {"critical_processes": DEFAULT_CRITICAL}
            if name == "process-topk-v1":
                variables["keep_command_lines"] = [
                    "/usr/sbin/mysqld --basedir=/usr --datadir=/var/lib/mysql"
                ]
            evaluator = Evaluator(render_config(name, variables))
            started = time.perf_counter()
            for batch in batches:
                evaluator.run(batch)
            rate = generated / (time.perf_counter() - started)
            rows.append([f"{profile} x{hosts}", name, f"{rate:,.0f}", f"{rate / floor_rate:.3f}"])
        rows.append(
            [f"{profile} x{hosts}", "floor (touch each datapoint)", f"{floor_rate:,.0f}", "1.000"]
        )
    table(
        f"Datapoints per second, one core ({machine()})",
        ["fleet", "stage", "datapoints/s", "ratio to floor"],
        rows,
    )
    console.print("The evaluator's figure includes copying the input batch, which every run does.")


if __name__ == "__main__":
    argparse.ArgumentParser().parse_args()
    main()
