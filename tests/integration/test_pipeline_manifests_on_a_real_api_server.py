"""A ProcessPipeline's ConfigMap and DaemonSet, applied to a real kube-apiserver (server-side
apply, field manager ``phoenix``): the API server accepts them as valid and owned by the pipeline.

No kubelet runs here, so no pod starts and the DaemonSet gets no status: this proves the objects
are what the API server takes, not that a collector runs on a node.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import yaml

from adapters.kube.crds import GROUP, VERSION
from adapters.kube.manifests import HOSTFS, MANAGER, SHA_ANNOTATION, children
from tests.integration.test_crds_on_a_real_api_server import NAMESPACE, path
from tests.kube import KubeServers, with_crds
from tests.pipeline_configs import EXAMPLE

APPLY = {"Content-Type": "application/apply-patch+yaml"}


@pytest.fixture
async def api(kube: KubeServers) -> AsyncIterator[httpx.AsyncClient]:
    async with with_crds(kube, NAMESPACE) as http:
        yield http


async def applied(http: httpx.AsyncClient, obj: dict[str, Any]) -> dict[str, Any]:
    group = "api/v1" if obj["apiVersion"] == "v1" else f"apis/{obj['apiVersion']}"
    plural = {"ConfigMap": "configmaps", "DaemonSet": "daemonsets"}[obj["kind"]]
    url = f"/{group}/namespaces/{NAMESPACE}/{plural}/{obj['metadata']['name']}"
    answer = await http.patch(
        url,
        content=yaml.safe_dump(obj),
        params={"fieldManager": MANAGER, "force": "true"},
        headers=APPLY,
    )
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


async def test_a_pipeline_s_configmap_and_daemonset_are_accepted_and_owned_by_it(
    api: httpx.AsyncClient,
) -> None:
    made = await api.post(
        path("processpipelines"),
        json={
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ProcessPipeline",
            "metadata": {"name": "prod"},
            "spec": {"config": EXAMPLE, "node_selector": {"phoenix.io/fleet": "web"}},
        },
    )
    assert made.status_code == 201, made.text
    pipeline = made.json()
    config_map, daemon_set = children(pipeline)
    stored_map = await applied(api, config_map)
    stored_set = await applied(api, daemon_set)

    config = yaml.safe_load(stored_map["data"]["config.yaml"])
    assert config["receivers"]["hostmetrics"]["root_path"] == HOSTFS
    assert config["processors"] == yaml.safe_load(EXAMPLE)["processors"]  # the user's, as is
    [owner] = stored_set["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["uid"], owner["controller"]) == (
        "ProcessPipeline",
        pipeline["metadata"]["uid"],
        True,
    )
    pod = stored_set["spec"]["template"]
    assert (
        pod["metadata"]["annotations"][SHA_ANNOTATION]
        == stored_map["metadata"]["annotations"][SHA_ANNOTATION]
    )
    assert pod["spec"]["nodeSelector"] == {"phoenix.io/fleet": "web"}
    [container] = pod["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["port"] == 13133
    managers = {m["manager"] for m in stored_set["metadata"]["managedFields"]}
    assert managers == {MANAGER}

    # Applied again unchanged: the same objects (server-side apply is idempotent).
    again = await applied(api, daemon_set)
    assert again["metadata"]["generation"] == stored_set["metadata"]["generation"]
