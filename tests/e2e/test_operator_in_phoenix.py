"""`phoenix up` with a kubeconfig runs the operator: it leads through a Lease, and a hand edit it
puts back reaches Phoenix's log as PipelineDriftCorrected, sent as the ``operator:kubernetes`` service.

Against the real kube-apiserver; no node runs anything here (the DaemonSet gets no status), which
this test does not need: it is about the operator inside Phoenix, not about collectors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.embedded.servers import Servers
from adapters.kube.api import DAEMON_SETS, LEASES, PROCESS_PIPELINES
from adapters.kube.crds import GROUP, VERSION
from adapters.kube.leadership import LEASE
from adapters.nats.bus import NatsBus
from domain.cluster.aggregate import cluster_stream
from gateway.kube_operator import KubeOperator
from gateway.runtime import Runtime
from tests.conftest import nats_url_of
from tests.kube import KubeServers, with_crds
from tests.pipeline_configs import EXAMPLE
from tests.runtimes import settings_for
from tests.waiting import eventually

NAMESPACE = "phoenix-up"


@pytest.fixture
async def runtime(
    kube: KubeServers, servers: Servers, database_url: str, bus: NatsBus, tmp_path: Path
) -> AsyncIterator[Runtime]:
    settings = settings_for(
        tmp_path,
        database_url=database_url,
        nats_url=nats_url_of(servers),
        kubeconfig=str(kube.kubeconfig),
        kube_namespace=NAMESPACE,
    )
    async with with_crds(kube, NAMESPACE):
        runtime = await Runtime.start(settings, api=False)
        yield runtime
        await runtime.stop()


async def test_a_hand_edit_put_back_by_phoenix_s_operator_is_in_phoenix_s_log(
    runtime: Runtime,
) -> None:
    assert runtime.kube is not None
    api = runtime.kube.api
    await eventually(lambda: _is_set(runtime.kube), deadline=30)
    lease = await api.get(LEASES, NAMESPACE, LEASE)
    assert lease is not None
    assert lease["spec"]["holderIdentity"] == runtime.kube.leadership.identity
    await api.create(
        PROCESS_PIPELINES,
        NAMESPACE,
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ProcessPipeline",
            "metadata": {"name": "drifty"},
            "spec": {"config": EXAMPLE},
        },
    )
    made = await eventually(lambda: api.get(DAEMON_SETS, NAMESPACE, "phoenix-drifty"), deadline=30)
    assert made is not None

    await api.merge_patch(
        DAEMON_SETS,
        NAMESPACE,
        "phoenix-drifty",
        {"metadata": {"labels": {"app.kubernetes.io/name": "x"}}},
    )

    stream = cluster_stream(NAMESPACE, "drifty")
    [event] = await eventually(lambda: runtime.store.read_stream(stream), deadline=30)
    assert event.type == "PipelineDriftCorrected"
    assert event.data["fields"] == ["labels.app.kubernetes.io/name"]
    assert event.metadata.actor == "operator:kubernetes"


async def _is_set(kube: object) -> bool:
    return isinstance(kube, KubeOperator) and kube.leadership.leading.is_set()
