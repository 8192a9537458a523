"""A real API server with Phoenix's operator and the node stand-in running, for the tests of what
is deployed on a cluster (the stand-in's docstring says what it does and does not prove).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.kube.api import CONFIG_MAPS, DAEMON_SETS, EVENTS, PROCESS_PIPELINES, KubeApi
from adapters.kube.crds import GROUP, VERSION
from adapters.kube.operator import Operator
from domain.cluster.commands import RecordPipelineDrift
from tests.kube import KubeServers, with_crds
from tests.node_standin import NodeStandIn
from tests.pipeline_configs import EXAMPLE

__all__ = ["NAMESPACE", "NODES", "Cluster", "cluster", "ready"]

NAMESPACE = "operator"
NODES = {"node-a": {"fleet": "web"}, "node-b": {"fleet": "web"}, "node-c": {"fleet": "db"}}


@dataclass
class Cluster:
    api: KubeApi
    http: httpx.AsyncClient  # as the cluster's admin, for what people do by hand
    operator: Operator
    stand_in: NodeStandIn
    recorded: list[tuple[RecordPipelineDrift, str]]

    async def create(self, name: str, **spec: Any) -> dict[str, Any]:
        return await self.api.create(
            PROCESS_PIPELINES,
            NAMESPACE,
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "ProcessPipeline",
                "metadata": {"name": name},
                "spec": {"config": EXAMPLE, **spec},
            },
        )

    async def status(self, name: str) -> dict[str, Any]:
        found = await self.api.get(PROCESS_PIPELINES, NAMESPACE, name)
        return dict((found or {}).get("status") or {})


def ready(status: dict[str, Any]) -> str | None:
    return next((c["status"] for c in status.get("conditions", []) if c["type"] == "Ready"), None)


@pytest.fixture
async def cluster(kube: KubeServers, otelcol: Path, tmp_path: Path) -> AsyncIterator[Cluster]:
    api = await KubeApi.connect(kube.kubeconfig)
    recorded: list[tuple[RecordPipelineDrift, str]] = []

    async def record(command: RecordPipelineDrift, uid: str) -> None:
        recorded.append((command, uid))

    operator = Operator(api, record, namespace=NAMESPACE)
    stand_in = NodeStandIn(api, otelcol, tmp_path / "nodes", NODES)
    stop = asyncio.Event()
    try:
        async with with_crds(kube, NAMESPACE) as http:
            await stand_in.register()
            tasks = [asyncio.create_task(run(stop)) for run in (operator.run, stand_in.run)]
            try:
                await operator.synced()
                yield Cluster(api, http, operator, stand_in, recorded)
            finally:
                stop.set()
                await asyncio.gather(*tasks)
                await _clean(api)
    finally:
        await api.close()


async def _clean(api: KubeApi) -> None:
    for pipeline in (await api.list(PROCESS_PIPELINES, NAMESPACE))[0]:
        await api.delete(PROCESS_PIPELINES, NAMESPACE, pipeline["metadata"]["name"])
    for kind in (DAEMON_SETS, CONFIG_MAPS, EVENTS):
        for child in (await api.list(kind, NAMESPACE))[0]:
            await api.delete(kind, NAMESPACE, child["metadata"]["name"])
