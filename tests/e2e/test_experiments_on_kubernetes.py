"""`phoenix up --deployer kubernetes` against a real kube-apiserver: an Experiment object applied
to the cluster runs to a verdict in its status, and its promotion commit, applied as Argo CD or
Flux would, rolls the winner out through the operator; deleting one while it runs cancels it and takes
its pipelines down before the object goes.

The nodes are the node stand-in's (tests/node_standin.py): each variant's collectors run as real
otelcol processes on this host, scraping its real processes (the test session's PostgreSQL is
the critical one) and sending to Phoenix's OTLP sink. What the stand-in does not prove is said
there: no kubelet starts a pod from these DaemonSets.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.embedded.servers import Servers
from adapters.kube.api import EXPERIMENTS, PROCESS_PIPELINES, KubeApi
from adapters.kube.crds import GROUP, VERSION
from adapters.kube.experiment_reconciler import FINALIZER
from adapters.nats.bus import NatsBus
from gateway.runtime import Runtime
from tests.conftest import nats_url_of
from tests.e2e.experiments import filter_and_dropper
from tests.kube import KubeServers, with_crds
from tests.node_standin import NodeStandIn
from tests.runtimes import settings_for
from tests.waiting import eventually

NAMESPACE = "experiments"
FLEET = {"phoenix.io/fleet": "e2e"}


@dataclass
class OnKubernetes:
    runtime: Runtime
    api: KubeApi
    stand_in: NodeStandIn

    async def apply(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        """As ``kubectl apply --server-side -f experiment.yaml`` would."""
        return await self.api.apply(
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "Experiment",
                "metadata": {"name": name, "namespace": NAMESPACE},
                "spec": spec,
            }
        )

    async def status(self, name: str) -> dict[str, Any]:
        found = await self.api.get(EXPERIMENTS, NAMESPACE, name)
        return dict((found or {}).get("status") or {})


def spec(name: str, duration: int) -> dict[str, Any]:
    return {
        **filter_and_dropper(
            name, filtered="keeps", dropper_critical=["^mysqld$"], interval="1s", duration=duration
        ),
        "target": {"namespace": NAMESPACE, "selector": FLEET},
        "critical_processes": ["^postgres$"],
        "success_criteria": {"max_collector_cpu_cores": 1.0, "max_collector_memory_mib": 400},
    }


@pytest.fixture
async def cluster(
    kube: KubeServers,
    servers: Servers,
    database_url: str,
    bus: NatsBus,
    otelcol: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[OnKubernetes]:
    # Measured by Phoenix's sink, or (indirect parameter "prometheus") through a real Prometheus
    # the nodes' collectors push to.
    measured: dict[str, Any] = {}
    if getattr(request, "param", "local") == "prometheus":
        prometheus = request.getfixturevalue("prometheus")
        measured = {"metrics_source": "prometheus", "prometheus_url": prometheus.url}
    settings = settings_for(
        tmp_path,
        database_url=database_url,
        nats_url=nats_url_of(servers),
        deployer="kubernetes",
        kubeconfig=str(kube.kubeconfig),
        kube_namespace=NAMESPACE,
        **measured,
    )
    api = await KubeApi.connect(kube.kubeconfig)
    stand_in = NodeStandIn(api, otelcol, tmp_path / "nodes", {"e2e-node-1": FLEET})
    stop = asyncio.Event()
    try:
        async with with_crds(kube, NAMESPACE):
            await stand_in.register()
            node = asyncio.create_task(stand_in.run(stop))
            runtime = await Runtime.start(settings, api=False)
            try:
                yield OnKubernetes(runtime, api, stand_in)
            finally:
                await _delete_experiments(api)  # while the operator runs to let them go
                await runtime.stop()
                stop.set()
                await node
    finally:
        await api.close()


@pytest.mark.parametrize("cluster", ["local", "prometheus"], indirect=True)
async def test_an_experiment_applied_to_the_cluster_runs_to_a_verdict_in_its_status(
    cluster: OnKubernetes, report: Callable[[str], None]
) -> None:
    started = time.monotonic()
    await cluster.apply("postgres-keeps", spec("postgres on kubernetes", duration=10))

    status = await eventually(
        lambda: cluster.status("postgres-keeps"),
        until=lambda s: (
            "verdict" in s or s.get("phase") in ("Failed", "Cancelled") or "reason" in s
        ),
        deadline=240,
    )

    assert status["phase"] == "Completed", status
    verdicts = {v["name"]: v.get("verdict") for v in status["variants"]}
    assert verdicts["no-postgres"] == "reject", status
    assert status["verdict"] == "promote" and status["winner"] == "keeps", status
    assert status["winnerSeriesReduction"].endswith("%")
    assert {c["type"]: c["status"] for c in status["conditions"]}["Completed"] == "True"
    assert [p["phase"] for p in status["phaseHistory"]][:2] == ["Pending", "Initializing"]
    measuring = cluster.runtime.real.measuring
    report(
        f"kubernetes, measured {'through Prometheus' if measuring.prometheus_url else 'by the sink'}"
        f": apply to verdict in {time.monotonic() - started:.1f}s"
    )
    if measuring.prometheus_url is not None:
        # The pods' collectors pushed their own telemetry too: overhead and accounting from it.
        events = await cluster.runtime.store.read_stream(f"experiment-{status['experimentId']}")
        [analysis] = [e for e in events if e.type == "AnalysisRecorded"]
        results = {r["variant"]: r for r in analysis.data["results"]}
        assert results["keeps"]["measures"]["collector_points_out"] > 0, results["keeps"]
        for result in results.values():
            assert result["measures"]["collector_points_in"] > 0, result
            assert any(r.startswith("pipeline accounting") for r in result["reasons"]), result
    # The variants were taken down once it ended.
    await eventually(lambda: _pipelines(cluster.api), until=lambda names: names == [], deadline=60)


async def test_deleting_a_running_experiment_cancels_it_and_tears_its_pipelines_down(
    cluster: OnKubernetes,
) -> None:
    await cluster.apply("doomed", spec("deleted while it runs", duration=600))
    await eventually(
        lambda: cluster.status("doomed"),
        until=lambda s: s.get("phase") == "Running" or "reason" in s,
        deadline=180,
    )
    made = await cluster.api.get(EXPERIMENTS, NAMESPACE, "doomed")
    assert made is not None and FINALIZER in made["metadata"]["finalizers"]
    assert len(await _pipelines(cluster.api)) == 3

    await cluster.api.delete(EXPERIMENTS, NAMESPACE, "doomed")

    await eventually(
        lambda: cluster.api.get(EXPERIMENTS, NAMESPACE, "doomed"),
        until=lambda found: found is None,
        deadline=120,
    )
    assert await _pipelines(cluster.api) == []
    experiment_id = made["status"]["experimentId"]
    events = await cluster.runtime.store.read_stream(f"experiment-{experiment_id}")
    kinds = [e.type for e in events]
    assert "ExperimentCancelled" in kinds and "CollectorsTornDown" in kinds, kinds
    cancelled = next(e for e in events if e.type == "ExperimentCancelled")
    assert cancelled.metadata.actor == "operator:kubernetes"


def _git_show(repository: Path, commit: str, path: str) -> str:
    shown = subprocess.run(
        ["git", "-C", str(repository), "show", f"{commit}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout


async def _apply_promoted(cluster: OnKubernetes, commit: str) -> list[str]:
    repository = cluster.runtime.settings.gitops_path
    folder = "otelcol/process-metrics"
    kustomization = yaml.safe_load(_git_show(repository, commit, f"{folder}/kustomization.yaml"))
    names = []
    for resource in kustomization["resources"]:
        manifest = yaml.safe_load(_git_show(repository, commit, f"{folder}/{resource}"))
        names.append((await cluster.api.apply(manifest))["metadata"]["name"])
    return names


async def _delete_experiments(api: KubeApi) -> None:
    """The next test's Phoenix has a database of its own: it would run these again (and a
    promoted pipeline is not the next test's either).
    """
    for found in (await api.list(EXPERIMENTS, NAMESPACE))[0]:
        await api.delete(EXPERIMENTS, NAMESPACE, found["metadata"]["name"])

    async def left() -> list[dict[str, Any]]:
        return (await api.list(EXPERIMENTS, NAMESPACE))[0]

    await eventually(left, until=lambda found: found == [], deadline=120)
    for pipeline in (await api.list(PROCESS_PIPELINES, NAMESPACE))[0]:
        await api.delete(PROCESS_PIPELINES, NAMESPACE, pipeline["metadata"]["name"])


async def _pipelines(api: KubeApi) -> list[str]:
    return sorted(p["metadata"]["name"] for p in (await api.list(PROCESS_PIPELINES, NAMESPACE))[0])
