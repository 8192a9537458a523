"""Fidelity: the evaluator and the real collector turn the same telemetry into the same series."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from adapters.collector.process import CollectorProcess
from adapters.embedded.ports import free_port
from domain.telemetry.model import Batch
from pipelines.catalog import catalog
from pipelines.evaluator import Evaluator
from pipelines.render import render
from simulator.fleet import Fleet
from simulator.otlp import OtlpHttpExporter
from simulator.profiles import PROFILES
from tests.waiting import eventually

CRITICAL = ["^postgres$", "^nginx$", "^mysqld$", "^redis-server$"]
Points = dict[tuple[Any, ...], float]


async def _now(value: bool) -> bool:
    return value


def points(batches: list[Batch]) -> Points:
    """Every point by series, time, and its metric's type, monotonicity and temporality."""
    out: Points = {}
    for batch in batches:
        for rm in batch:
            for m in rm.metrics:
                kind = (m.type, m.monotonic, m.temporality)
                for p in m.points:
                    out[(rm.resource, m.name, p.attributes, p.time_unix_nano, kind)] = p.value
    return out


def variables(name: str, fleet_batches: list[Batch]) -> dict[str, Any]:
    extra: dict[str, Any] = {"critical_processes": CRITICAL}
    if name == "process-topk-v1":
        from pipelines.recommend import top_by_cpu

        extra["keep_command_lines"] = top_by_cpu(fleet_batches, 3)
    return extra


@pytest.mark.parametrize("profile", list(PROFILES))
@pytest.mark.parametrize("name", list(catalog()))
async def test_the_evaluator_and_the_real_collector_agree(
    otelcol: Path, otlp_received: tuple[str, list[Batch]], tmp_path: Path, name: str, profile: str
) -> None:
    endpoint, received = otlp_received
    fleet = Fleet(profile, 1, seed=17, processes=150 if profile == "high-cardinality" else None)
    batches = [batch for _, [batch] in fleet.run(duration_s=30, interval_s=10)]
    extra = variables(name, batches)
    receiver, health = free_port(), free_port()
    config = tmp_path / "config.yaml"
    config.write_text(
        render(
            name,
            {
                **extra,
                "receivers": ["otlp"],
                "otlp_receiver_endpoint": f"127.0.0.1:{receiver}",
                "otlp_endpoint": endpoint,
                "health_check_endpoint": f"127.0.0.1:{health}",
            },
        )
    )
    expected_batches = [Evaluator(yaml_config(config)).run(b) for b in batches]
    expected = points(expected_batches)

    collector = CollectorProcess(
        otelcol, config, f"http://127.0.0.1:{health}/", tmp_path / "collector.log"
    )
    await asyncio.to_thread(collector.start)
    try:
        exporter = OtlpHttpExporter(f"http://127.0.0.1:{receiver}")
        for batch in batches:
            await exporter.export(batch)
        await exporter.close()
        # Done when the collector has sent a point for every series the evaluator expects.
        await eventually(lambda: _now(set(points(received)) >= set(expected)), deadline=20)
    finally:
        await asyncio.to_thread(collector.stop)
    got = points(received)
    assert set(got) == set(expected), f"only in the collector: {list(set(got) - set(expected))[:3]}"
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def yaml_config(path: Path) -> dict[str, Any]:
    import yaml

    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded
