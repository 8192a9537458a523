"""Phoenix's operator against a real kube-apiserver: ProcessPipelines become ConfigMaps and
DaemonSets whose collectors run (on the node stand-in, tests/node_standin.py, which plays the
kubelet and writes DaemonSet status: see what it does and does not prove), hand edits are put back
and recorded, and the pipeline's status follows its DaemonSet's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from adapters.kube.api import CONFIG_MAPS, DAEMON_SETS, EVENTS, PROCESS_PIPELINES, KubeApi
from adapters.kube.crds import GROUP, VERSION
from adapters.kube.manifests import SHA_ANNOTATION
from adapters.kube.operator import CHILDREN, Operator
from domain.cluster.commands import RecordPipelineDrift
from tests.kube import KubeServers, with_crds
from tests.kube_cluster import NAMESPACE, Cluster, ready
from tests.pipeline_configs import EXAMPLE
from tests.waiting import eventually


async def test_a_pipeline_runs_a_collector_on_each_node_it_selects_and_reports_ready(
    cluster: Cluster,
) -> None:
    await cluster.create("web", node_selector={"fleet": "web"})

    status = await eventually(
        lambda: cluster.status("web"), until=lambda s: ready(s) == "True", deadline=60
    )

    config_map = await cluster.api.get(CONFIG_MAPS, NAMESPACE, "phoenix-web")
    assert config_map is not None
    assert status["desiredNodes"] == status["readyNodes"] == 2
    assert status["configSha256"] == config_map["metadata"]["annotations"][SHA_ANNOTATION]
    assert set(cluster.stand_in.telemetry_ports(NAMESPACE, "phoenix-web")) == {"node-a", "node-b"}


async def test_a_pipeline_no_node_matches_is_not_ready_and_says_why(cluster: Cluster) -> None:
    await cluster.create("nowhere", node_selector={"fleet": "none-such"})

    status = await eventually(
        lambda: cluster.status("nowhere"),
        until=lambda s: any(c.get("reason") == "NoNodes" for c in s.get("conditions", [])),
        deadline=30,
    )

    assert ready(status) == "False"
    assert status["desiredNodes"] == 0


async def test_a_pipeline_whose_template_does_not_render_says_so_in_its_status(
    cluster: Cluster,
) -> None:
    await cluster.api.create(
        PROCESS_PIPELINES,
        NAMESPACE,
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ProcessPipeline",
            "metadata": {"name": "broken"},
            "spec": {"template": "no-such-template"},
        },
    )

    status = await eventually(lambda: cluster.status("broken"), until=bool, deadline=30)

    condition = status["conditions"][0]
    assert (condition["status"], condition["reason"]) == ("False", "InvalidConfig")
    assert "no-such-template" in condition["message"]
    assert await cluster.api.get(DAEMON_SETS, NAMESPACE, "phoenix-broken") is None


async def test_a_hand_edit_of_the_daemonset_is_put_back_recorded_and_reported(
    cluster: Cluster,
) -> None:
    await cluster.create("edited", node_selector={"fleet": "db"})
    await eventually(
        lambda: cluster.status("edited"), until=lambda s: ready(s) == "True", deadline=60
    )
    before = await cluster.api.get(DAEMON_SETS, NAMESPACE, "phoenix-edited")
    assert before is not None
    image = before["spec"]["template"]["spec"]["containers"][0]["image"]

    edit = {
        "spec": {"template": {"spec": {"containers": [{"name": "otelcol", "image": "evil:1"}]}}}
    }
    edited = await cluster.http.patch(  # as `kubectl edit` would
        DAEMON_SETS.path(NAMESPACE, "phoenix-edited"),
        json=edit,
        params={"fieldManager": "kubectl-edit"},
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )
    assert edited.json()["spec"]["template"]["spec"]["containers"][0]["image"] == "evil:1"

    async def current_image() -> str:
        found = await cluster.api.get(DAEMON_SETS, NAMESPACE, "phoenix-edited")
        assert found is not None
        return str(found["spec"]["template"]["spec"]["containers"][0]["image"])

    await eventually(current_image, until=lambda i: i == image, deadline=30)
    command, uid = await eventually(lambda: _first(cluster.recorded), deadline=10)
    assert (command.kind, command.object, command.name) == ("DaemonSet", "phoenix-edited", "edited")
    assert "spec.template.spec.containers[0].image" in command.fields
    assert uid == before["metadata"]["uid"]

    async def reported() -> list[str]:
        events = (await cluster.api.list(EVENTS, NAMESPACE))[0]
        return [e["reason"] for e in events if e["involvedObject"]["name"] == "phoenix-edited"]

    assert await eventually(reported, deadline=10) == ["DriftCorrected"]


async def test_a_hand_edit_of_the_config_is_put_back_and_recorded(cluster: Cluster) -> None:
    await cluster.create("configured", node_selector={"fleet": "db"})
    await eventually(
        lambda: cluster.status("configured"), until=lambda s: ready(s) == "True", deadline=60
    )
    await cluster.api.merge_patch(
        CONFIG_MAPS, NAMESPACE, "phoenix-configured", {"data": {"config.yaml": "receivers: {}"}}
    )

    async def config() -> str:
        found = await cluster.api.get(CONFIG_MAPS, NAMESPACE, "phoenix-configured")
        return str((found or {}).get("data", {}).get("config.yaml"))

    await eventually(config, until=lambda text: "hostmetrics" in text, deadline=30)
    command, _ = await eventually(lambda: _first(cluster.recorded), deadline=10)
    assert (command.kind, command.fields) == ("ConfigMap", ("data.config.yaml",))


async def test_changing_a_pipeline_updates_its_children_and_is_not_drift(cluster: Cluster) -> None:
    await cluster.create("changing", node_selector={"fleet": "db"})
    first = await eventually(
        lambda: cluster.status("changing"), until=lambda s: ready(s) == "True", deadline=60
    )

    await cluster.api.merge_patch(
        PROCESS_PIPELINES, NAMESPACE, "changing", {"spec": {"labels": {"team": "sre"}}}
    )

    async def labels() -> dict[str, str]:
        found = await cluster.api.get(DAEMON_SETS, NAMESPACE, "phoenix-changing")
        return dict((found or {}).get("metadata", {}).get("labels") or {})

    await eventually(labels, until=lambda found: found.get("team") == "sre", deadline=30)
    second = await eventually(
        lambda: cluster.status("changing"),
        until=lambda s: s["observedGeneration"] == 2 and ready(s) == "True",
        deadline=60,
    )
    assert second["configSha256"] == first["configSha256"]
    assert cluster.recorded == []


async def _first(items: list[Any]) -> Any:
    return items[0] if items else None


async def test_deleting_a_pipeline_takes_its_children_and_collectors_with_it(
    cluster: Cluster,
) -> None:
    await cluster.create("doomed", node_selector={"fleet": "db"})
    await eventually(
        lambda: cluster.status("doomed"), until=lambda s: ready(s) == "True", deadline=60
    )

    await cluster.api.delete(PROCESS_PIPELINES, NAMESPACE, "doomed")

    async def children() -> list[Any]:
        return [
            await cluster.api.get(kind, NAMESPACE, "phoenix-doomed")
            for kind in (CONFIG_MAPS, DAEMON_SETS)
        ]

    await eventually(children, until=lambda found: found == [None, None], deadline=60)
    await eventually(
        lambda: _value(cluster.stand_in.telemetry_ports(NAMESPACE, "phoenix-doomed")),
        until=lambda ports: ports == {},
        deadline=30,
    )


async def test_pipelines_changed_while_watches_keep_ending_are_all_reconciled(
    kube: KubeServers, tmp_path: Path
) -> None:
    """The API server ends each watch after a second here; the informer watches again from the
    last version it saw (bookmarks included), so no change in between is missed.
    """
    api = await KubeApi.connect(kube.kubeconfig)
    operator = Operator(api, _nothing, namespace="short-watches")
    for informer in operator.informers:
        informer.watch_seconds = 1
    stop = asyncio.Event()
    try:
        async with with_crds(kube, "short-watches"):
            task = asyncio.create_task(operator.run(stop))
            await operator.synced()
            for n in range(12):
                await api.create(
                    PROCESS_PIPELINES,
                    "short-watches",
                    {
                        "apiVersion": f"{GROUP}/{VERSION}",
                        "kind": "ProcessPipeline",
                        "metadata": {"name": f"p{n}"},
                        "spec": {"config": EXAMPLE},
                    },
                )
                await asyncio.sleep(0.25)  # spread the changes over several watches

            async def made() -> int:
                return len((await api.list(CONFIG_MAPS, "short-watches", labels=CHILDREN))[0])

            await eventually(made, until=lambda count: count == 12, deadline=30)
            assert operator.informers[0].lists == 1
            stop.set()
            await task
    finally:
        await api.close()


async def _nothing(command: RecordPipelineDrift, uid: str) -> None:
    raise AssertionError(f"no drift expected, got {command}")


async def _value(value: Any) -> Any:
    return value
