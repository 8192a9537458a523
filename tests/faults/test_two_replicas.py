"""Two `phoenix up` replicas on one NATS, one PostgreSQL and one cluster, as the Helm chart's
`replicas: 2` runs them: the one leading the operator is killed (kill -9) while an Experiment
object's experiment runs, the other takes the Lease over, and the experiment completes with every
effect once.

The cluster is the real API server with the node stand-in (tests/node_standin.py). Both replicas
are told to have collectors send to the survivor's OTLP sink, as a Service in front of both would
route them to a live one; which replica a collector reaches is not what this test is about.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.auth.local_key import LocalKey
from adapters.embedded.ports import free_port
from adapters.embedded.servers import Servers
from adapters.kube.api import EXPERIMENTS, LEASES, KubeApi
from adapters.kube.crds import GROUP, VERSION
from adapters.kube.leadership import LEASE
from adapters.nats.bus import NatsBus
from adapters.postgres.event_store import PostgresEventStore
from tests.conftest import nats_url_of
from tests.e2e.experiments import filter_and_dropper
from tests.kube import KubeServers, with_crds
from tests.node_standin import NodeStandIn
from tests.processes import PhoenixProcess
from tests.waiting import eventually

NAMESPACE = "replicas"
FLEET = {"phoenix.io/fleet": "replicas"}
# Once each, whatever the replicas do; VariantDeployed once per variant.
ONCE = (
    "ExperimentCreated",
    "ExperimentStarted",
    "ConfigsGenerated",
    "ExperimentRunning",
    "ObservationWindowClosed",
    "AnalysisRecorded",
    "ExperimentCompleted",
    "TeardownRequested",
)


@pytest.fixture
async def cluster(kube: KubeServers, otelcol: Path, tmp_path: Path) -> AsyncIterator[KubeApi]:
    api = await KubeApi.connect(kube.kubeconfig)
    stand_in = NodeStandIn(api, otelcol, tmp_path / "nodes", {"replicas-node": FLEET})
    stop = asyncio.Event()
    try:
        async with with_crds(kube, NAMESPACE):
            await stand_in.register()
            node = asyncio.create_task(stand_in.run(stop))
            try:
                yield api
            finally:
                stop.set()
                await node
    finally:
        await api.close()


async def test_killing_the_leading_replica_mid_experiment_doubles_and_loses_nothing(
    kube: KubeServers,
    servers: Servers,
    database_url: str,
    bus: NatsBus,
    engine: AsyncEngine,
    cluster: KubeApi,
    tmp_path: Path,
    report: Callable[[str], None],
) -> None:
    pem = LocalKey.generate().private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    survivor_otlp = free_port()
    shared = {
        "PHOENIX_DATABASE_URL": database_url,
        "PHOENIX_NATS_URL": nats_url_of(servers),
        "PHOENIX_SIGNING_KEY": pem.decode(),
        "PHOENIX_DEPLOYER": "kubernetes",
        "PHOENIX_KUBECONFIG": str(kube.kubeconfig),
        "PHOENIX_KUBE_NAMESPACE": NAMESPACE,
        "PHOENIX_OTLP_PUBLIC_URL": f"http://127.0.0.1:{survivor_otlp}",
    }
    leader = PhoenixProcess(tmp_path / "leader", shared)
    survivor = PhoenixProcess(tmp_path / "survivor", shared, otlp_port=survivor_otlp)
    try:
        leader.start()
        await asyncio.to_thread(leader.wait_ready)
        assert leader.process is not None
        leading = f"{socket.gethostname()}-{leader.process.pid}"
        await eventually(lambda: _holder(cluster), until=lambda h: h == leading, deadline=60)
        survivor.start()
        await asyncio.to_thread(survivor.wait_ready)

        await cluster.apply(_experiment())
        await eventually(
            lambda: _status(cluster),
            until=lambda s: s.get("phase") == "Running" or "reason" in s,
            deadline=180,
        )
        await asyncio.to_thread(leader.kill)

        status = await eventually(
            lambda: _status(cluster),
            until=lambda s: s.get("phase") in ("Completed", "Failed", "Cancelled"),
            deadline=300,
        )
        assert survivor.process is not None
        took_over = f"{socket.gethostname()}-{survivor.process.pid}"
        assert await _holder(cluster) == took_over
    finally:
        for replica in (leader, survivor):
            if replica.process is not None and replica.process.poll() is None:
                await asyncio.to_thread(replica.kill)
    assert status["phase"] == "Completed", status
    events = await PostgresEventStore(engine).read_stream(f"experiment-{status['experimentId']}")
    kinds = Counter(e.type for e in events)
    doubled = {kind: n for kind, n in kinds.items() if kind in ONCE and n > 1}
    deployed = Counter(e.data["variant"] for e in events if e.type == "VariantDeployed")
    report(
        f"replicas: the leader killed mid-experiment; {status['phase']} with "
        f"{sum(kinds.values())} events, doubled {doubled or 'none'}, verdict {status.get('verdict')}"
    )
    assert doubled == {}
    assert all(kinds[kind] == 1 for kind in ONCE), kinds
    assert set(deployed.values()) == {1} and len(deployed) == 3, deployed


def _experiment() -> dict[str, Any]:
    spec = {
        **filter_and_dropper(
            "two replicas",
            filtered="keeps",
            dropper_critical=["^mysqld$"],
            interval="1s",
            duration=20,
        ),
        "target": {"namespace": NAMESPACE, "selector": FLEET},
        "critical_processes": ["^postgres$"],
        "success_criteria": {"max_collector_cpu_cores": 1.0, "max_collector_memory_mib": 400},
    }
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Experiment",
        "metadata": {"name": "two-replicas", "namespace": NAMESPACE},
        "spec": spec,
    }


async def _status(api: KubeApi) -> dict[str, Any]:
    found = await api.get(EXPERIMENTS, NAMESPACE, "two-replicas")
    return dict((found or {}).get("status") or {})


async def _holder(api: KubeApi) -> str | None:
    lease = await api.get(LEASES, NAMESPACE, LEASE)
    return None if lease is None else lease["spec"].get("holderIdentity")
