"""The ``kubernetes`` deployer against a real API server with Phoenix's operator and the node
stand-in (tests/node_standin.py: real collectors per node, DaemonSet status written for them).
"""

from __future__ import annotations

from uuid import UUID

import pytest

from adapters.kube.api import DAEMON_SETS, PROCESS_PIPELINES
from adapters.kube.deployer import KubernetesDeployer, pipeline_name
from domain.experiment.spec import Target
from handlers.ports import DeploymentError
from pipelines.render import render
from tests.kube_cluster import NAMESPACE, Cluster
from tests.pipeline_configs import EXAMPLE
from tests.waiting import eventually

XID = UUID("6f0d3c52-7a1e-4d8b-9c2f-3e5a7b9d1c40")
WEB = Target(namespace=NAMESPACE, selector={"fleet": "web"})


async def test_a_variant_is_deployed_when_every_node_of_its_target_runs_it(
    cluster: Cluster,
) -> None:
    deployer = KubernetesDeployer(cluster.api, ready_within=60)

    deployment = await deployer.deploy(XID, "baseline", EXAMPLE, target=WEB)

    name = pipeline_name(XID, "baseline")
    assert deployment.details["pipeline"] == f"{NAMESPACE}/{name}"
    assert deployment.details["nodes"] == "2"
    assert set(cluster.stand_in.telemetry_ports(NAMESPACE, f"phoenix-{name}")) == {
        "node-a",
        "node-b",
    }


async def test_named_hosts_limit_a_variant_to_those_nodes(cluster: Cluster) -> None:
    deployer = KubernetesDeployer(cluster.api, ready_within=60)
    target = Target(namespace=NAMESPACE, hosts=("node-b", "node-c"), selector={"fleet": "web"})

    deployment = await deployer.deploy(XID, "candidate", EXAMPLE, target=target)

    assert deployment.details["nodes"] == "1"  # node-b: named and in the web fleet
    name = f"phoenix-{pipeline_name(XID, 'candidate')}"
    assert set(cluster.stand_in.telemetry_ports(NAMESPACE, name)) == {"node-b"}


async def test_a_target_no_node_matches_fails_at_once_and_says_so(cluster: Cluster) -> None:
    deployer = KubernetesDeployer(cluster.api, ready_within=60)

    with pytest.raises(DeploymentError, match="no node matches the experiment's target"):
        await deployer.deploy(
            XID, "lost", EXAMPLE, target=Target(namespace=NAMESPACE, selector={"fleet": "none"})
        )

    assert await cluster.api.get(PROCESS_PIPELINES, NAMESPACE, pipeline_name(XID, "lost")) is None


async def test_a_variant_not_ready_in_time_fails_with_the_reason(cluster: Cluster) -> None:
    deployer = KubernetesDeployer(cluster.api, ready_within=3)
    broken = EXAMPLE.replace("memory_limiter:", "memory_limiter/unused:")  # refers to what is gone

    with pytest.raises(DeploymentError, match="not ready on every selected node within 3s"):
        await deployer.deploy(XID, "broken", broken, target=WEB)


async def test_teardown_by_another_phoenix_finds_the_variant_by_its_labels(
    cluster: Cluster,
) -> None:
    await KubernetesDeployer(cluster.api, ready_within=60).deploy(XID, "gone", EXAMPLE, target=WEB)
    restarted = KubernetesDeployer(cluster.api)  # knows nothing of what the first deployed

    await restarted.teardown(XID, "gone")

    name = pipeline_name(XID, "gone")

    async def left() -> list[object]:
        return [
            await cluster.api.get(PROCESS_PIPELINES, NAMESPACE, name),
            await cluster.api.get(DAEMON_SETS, NAMESPACE, f"phoenix-{name}"),
        ]

    await eventually(left, until=lambda found: found == [None, None], deadline=60)


async def test_a_variant_s_overhead_comes_from_its_collectors_own_metrics(cluster: Cluster) -> None:
    deployer = KubernetesDeployer(cluster.api, ready_within=60)
    config = render("process-baseline-v1", {"telemetry_metrics_port": 8888})

    await deployer.deploy(XID, "measured", config, target=WEB)
    overhead = await eventually(lambda: deployer.overhead(XID, "measured"), deadline=30)

    assert overhead is not None
    assert 0 <= overhead.cpu_cores < 2  # this host has two cores
    assert 10 * 2**20 < overhead.resident_bytes < 1024 * 2**20
    assert await deployer.overhead(XID, "never-deployed") is None
