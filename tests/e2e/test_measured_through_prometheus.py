"""A whole Phoenix measuring through Prometheus on this real host: real collectors export to a
Prometheus Phoenix starts (and that scrapes Phoenix's /metrics); the verdicts, the collectors'
own overhead and accounting, Phoenix's KPIs (lint-clean by promtool) and every panel of the
Grafana dashboards come from it.

The critical workload is the test session's own PostgreSQL, as in test_real_host_verdicts.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx

from adapters.embedded.ports import free_port
from adapters.embedded.servers import Servers
from adapters.local_metrics import LocalMetricsSource
from adapters.prometheus.api import PrometheusApi
from gateway.runtime import Runtime
from handlers.experiment_state import critical_patterns, load
from tests.conftest import nats_url_of
from tests.e2e.experiments import filter_and_dropper
from tests.runtimes import admin_headers, settings_for
from tests.waiting import eventually

DASHBOARDS = Path(__file__).parents[2] / "deploy" / "monitoring" / "dashboards"


def experiment(experiment_id: str) -> dict[str, Any]:
    return {
        **filter_and_dropper(
            "measured through prometheus",
            filtered="keeps",
            dropper_critical=["^mysqld$"],
            interval="1s",
            duration=12,
        ),
        "experiment_id": experiment_id,
        "critical_processes": ["^postgres$"],
        "success_criteria": {"max_collector_cpu_cores": 1.0, "max_collector_memory_mib": 400},
    }


def panel_queries(experiment_id: str) -> list[tuple[str, str, str]]:
    """Every panel target of every dashboard: (dashboard, panel, PromQL with the variables set)."""
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel["targets"]:
                expr = target["expr"].replace("$experiment", experiment_id)
                found.append((path.stem, panel["title"], expr))
    return found


async def test_a_phoenix_measuring_through_prometheus_judges_reports_and_fills_its_dashboards(
    servers: Servers,
    database_url: str,
    otelcol: Path,
    promtool: Path,
    tmp_path: Path,
    report: Callable[[str], None],
) -> None:
    settings = settings_for(
        tmp_path,
        database_url=database_url,
        nats_url=nats_url_of(servers),
        deployer="process",
        metrics_source="prometheus",
        prometheus_port=free_port(),
        api_port=free_port(),  # a port known up front: the Prometheus Phoenix starts scrapes it
    )
    runtime = await Runtime.start(settings)
    measuring = runtime.real.measuring
    assert measuring.embedded is not None and measuring.prometheus_url is not None
    prometheus = PrometheusApi(measuring.prometheus_url)
    experiment_id = str(uuid4())
    try:
        async with httpx.AsyncClient(
            base_url=str(runtime.api_url), timeout=10, headers=admin_headers(settings.data_dir)
        ) as api:
            for kind, data in (
                ("CreateExperiment", experiment(experiment_id)),
                ("StartExperiment", {"experiment_id": experiment_id}),
            ):
                sent = await api.post("/api/v1/commands", json={"type": kind, "data": data})
                assert sent.status_code == 202, sent.text
            found = await eventually(
                lambda: api.get(f"/api/v1/experiments/{experiment_id}/results"),
                until=lambda r: (
                    r.status_code == 200
                    and (r.json()["available"] or r.json()["phase"] == "Failed")
                ),
                deadline=120,
            )
            results = found.json()
            assert results["available"], f"{results['phase']}: {results['reason']}"
            by_name = {v["variant"]: v for v in results["variants"]}

            # The verdicts, from what Prometheus holds.
            assert by_name["no-postgres"]["verdict"] == "reject"
            assert any("lost postgres" in r for r in by_name["no-postgres"]["reasons"])
            assert by_name["keeps"]["measures"]["critical_lost"] == 0
            # Overhead and accounting from the collectors' own telemetry.
            for name in ("keeps", "no-postgres"):
                measures = by_name[name]["measures"]
                assert 0 < measures["collector_cpu_cores"] < 1.0, measures
                assert 10 < measures["collector_memory_mib"] < 400, measures
                assert measures["collector_points_in"] > measures["collector_points_out"]
                assert any(r.startswith("pipeline accounting") for r in by_name[name]["reasons"])
            assert by_name["keeps"]["measures"]["collector_points_out"] > 0
            assert by_name["baseline"]["measures"]["points_arrived"] > 0

            # What Phoenix's own sink measured of the same run agrees within the window's edges.
            await same_counts_as_the_sink(runtime, UUID(experiment_id), report)

            # Phoenix's /metrics: the KPIs are there, and promtool finds nothing to say.
            exposition = (await api.get("/metrics")).text
            assert (
                f'phoenix_pipeline_cardinality_reduction_ratio{{experiment="{experiment_id}"'
                in (exposition)
            )
            linted = await asyncio.to_thread(
                subprocess.run,
                [str(promtool), "check", "metrics"],
                input=exposition,
                capture_output=True,
                text=True,
                check=False,
            )
            assert linted.returncode == 0, linted.stdout + linted.stderr

            # Every dashboard panel returns data once Prometheus has scraped the KPIs.
            await eventually(
                lambda: prometheus.instant(
                    f'phoenix_pipeline_series{{experiment="{experiment_id}"}}',
                    time.time(),
                ),
                until=lambda answer: len(answer) == 3,
                deadline=30,
            )
            empty = []
            for board, title, expr in panel_queries(experiment_id):
                if not await prometheus.instant(expr, time.time()):
                    empty.append(f"{board} / {title}: {expr}")
            assert not empty, "panels without data:\n" + "\n".join(empty)
            listed = await prometheus.label_values(
                "experiment",
                '{__name__=~"phoenix_pipeline_series|phoenix_experiment_phase_entered_timestamp_seconds"}',
            )
            assert experiment_id in listed  # the experiment dashboard's variable offers it
    finally:
        await prometheus.close()
        await runtime.stop()


async def same_counts_as_the_sink(
    runtime: Runtime, experiment_id: UUID, report: Callable[[str], None]
) -> None:
    """The sink counts a batch when it arrives, Prometheus by its points' timestamps (the
    scrape), a second or so earlier: at each end of the window one scrape may fall on either
    side. So the totals agree within one scrape per end.
    """
    state = await load(runtime.store, experiment_id)
    assert state.started_at is not None and state.window_ends_at is not None
    local = LocalMetricsSource(runtime.real.recorder)
    span: dict[str, Any] = {
        "start": state.started_at,
        "end": state.window_ends_at,
        "intervals": 12,
        "critical_processes": critical_patterns(state.spec),
    }
    for variant in state.spec.variant_names:
        mine = await local.window(experiment_id, variant, **span)
        theirs = await runtime.real.measuring.source.window(experiment_id, variant, **span)
        per_scrape = mine.datapoints / 12
        report(
            f"{variant}: series {mine.series} local / {theirs.series} prometheus, datapoints "
            f"{mine.datapoints} / {theirs.datapoints}"
        )
        assert abs(mine.datapoints - theirs.datapoints) <= 2 * per_scrape + 1, variant
        assert abs(mine.series - theirs.series) <= 0.1 * mine.series + 2, variant
