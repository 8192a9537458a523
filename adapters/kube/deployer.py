"""The ``kubernetes`` deployer: each variant a ProcessPipeline limited to the experiment's target,
which Phoenix's operator turns into a DaemonSet; ready when every selected node runs it.

The objects are labelled with the experiment and variant, so after a restart Phoenix finds them
again (deploying what exists is a no-op server-side apply). Stopping Phoenix leaves them running:
the experiment goes on on the cluster, and the next Phoenix picks it up.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
from prometheus_client.parser import text_string_to_metric_families

from adapters.kube.api import NODES, PODS, PROCESS_PIPELINES, KubeApi, Obj
from adapters.kube.crds import GROUP, VERSION
from adapters.kube.manifests import MANAGER, METRICS_PORT, PIPELINE_LABEL
from domain.analysis.windows import Overhead
from domain.cluster.resources import EXPERIMENT_LABEL, VARIANT_LABEL
from domain.experiment.spec import Target
from handlers.ports import CollectorExited, Deployment, DeploymentError

# The collector's own metrics (its telemetry), as its Prometheus endpoint names them.
CPU_SECONDS = "otelcol_process_cpu_seconds"
UPTIME = "otelcol_process_uptime"
RESIDENT = "otelcol_process_memory_rss"
# Fails at once: waiting cannot mend these.
HOPELESS = ("InvalidConfig", "NoNodes")


def pipeline_name(experiment_id: UUID, variant: str) -> str:
    """A DNS label for the variant's ProcessPipeline, short enough for ``phoenix-`` before it."""
    name = f"x{experiment_id.hex[:8]}-{variant}"
    if len(name) <= 55:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:46].rstrip('-')}-{digest}"


def _ready(status: dict[str, Any]) -> dict[str, Any] | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)


class KubernetesDeployer:
    """Deploys variants as ProcessPipelines through the API server; waits up to ``ready_within``
    seconds for every selected node to run one.
    """

    def __init__(
        self,
        api: KubeApi,
        *,
        image: str | None = None,
        ready_within: float = 300.0,
        poll: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api, self.image = api, image
        self.ready_within, self.poll, self.clock = ready_within, poll, clock
        self.namespaces: dict[tuple[UUID, str], str] = {}
        self.http = httpx.AsyncClient(timeout=5)

    async def deploy(
        self, experiment_id: UUID, variant: str, config: str, *, target: Target | None = None
    ) -> Deployment:
        target = target or Target()
        if not await self._any_node(target):
            raise DeploymentError(
                f"no node matches the experiment's target (selector {target.selector or '{}'}, "
                f"hosts {list(target.hosts) or 'any'})"
            )
        name = pipeline_name(experiment_id, variant)
        labels = {
            "app.kubernetes.io/managed-by": MANAGER,
            EXPERIMENT_LABEL: str(experiment_id),
            VARIANT_LABEL: variant,
        }
        spec: dict[str, Any] = {
            "config": config,
            "node_selector": dict(target.selector),
            "hosts": sorted(target.hosts),
            "labels": {EXPERIMENT_LABEL: str(experiment_id), VARIANT_LABEL: variant},
        }
        if self.image:
            spec["image"] = self.image
        applied = await self.api.apply(
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "ProcessPipeline",
                "metadata": {"name": name, "namespace": target.namespace, "labels": labels},
                "spec": spec,
            }
        )
        self.namespaces[(experiment_id, variant)] = target.namespace
        status = await self._until_ready(applied)
        return Deployment(
            experiment_id,
            variant,
            {
                "deployer": "kubernetes",
                "pipeline": f"{target.namespace}/{name}",
                "nodes": str(status.get("readyNodes", 0)),
                "configSha256": str(status.get("configSha256", "")),
            },
        )

    async def _any_node(self, target: Target) -> bool:
        selector = ",".join(f"{k}={v}" for k, v in sorted(target.selector.items())) or None
        nodes, _ = await self.api.list(NODES, labels=selector)
        names = {n["metadata"]["name"] for n in nodes}
        return bool(names & set(target.hosts)) if target.hosts else bool(names)

    async def _until_ready(self, pipeline: Obj) -> dict[str, Any]:
        metadata = pipeline["metadata"]
        generation = int(metadata.get("generation") or 1)
        deadline = self.clock() + self.ready_within
        last = "the operator has not reported on it yet"
        while True:
            found = await self.api.get(PROCESS_PIPELINES, metadata["namespace"], metadata["name"])
            status = (found or {}).get("status") or {}
            condition = _ready(status)
            if condition is not None and int(status.get("observedGeneration") or 0) >= generation:
                if condition["status"] == "True":
                    return status
                last = f"{condition.get('reason')}: {condition.get('message')}"
                if condition.get("reason") in HOPELESS:
                    raise DeploymentError(f"{metadata['name']} cannot run: {last}")
            if self.clock() >= deadline:
                raise DeploymentError(
                    f"{metadata['name']} was not ready on every selected node within "
                    f"{self.ready_within:g}s ({last})"
                )
            await asyncio.sleep(self.poll)

    async def overhead(self, experiment_id: UUID, variant: str) -> Overhead | None:
        """The costliest of the variant's collectors, from their own metrics (served on each
        pod's ``metrics`` port): CPU in cores averaged over its life, resident memory now. None
        when none of its pods serves them yet.
        """
        namespace = self.namespaces.get((experiment_id, variant))
        selector = f"{PIPELINE_LABEL}={pipeline_name(experiment_id, variant)}"
        pods, _ = await self.api.list(PODS, namespace, labels=selector)
        samples = [s for s in [await self._sample(pod) for pod in pods] if s is not None]
        if not samples:
            if pods and all((p.get("status") or {}).get("phase") == "Failed" for p in pods):
                raise CollectorExited(f"every {variant} collector's pod failed")
            return None
        return Overhead(
            cpu_cores=max(cpu for cpu, _ in samples),
            resident_bytes=max(rss for _, rss in samples),
        )

    async def _sample(self, pod: Obj) -> tuple[float, int] | None:
        address = (pod.get("status") or {}).get("podIP")
        ports = [
            port["containerPort"]
            for container in pod["spec"]["containers"]
            for port in container.get("ports") or []
            if port.get("name") == METRICS_PORT
        ]
        if not address or not ports:
            return None
        try:
            answer = await self.http.get(f"http://{address}:{ports[0]}/metrics")
            answer.raise_for_status()
        except httpx.HTTPError:
            return None  # not serving yet, or restarting: the next look may find it
        values = {
            # The parser names a counter's sample ``<name>_total``; the collector does not.
            sample.name.removesuffix("_total"): sample.value
            for family in text_string_to_metric_families(answer.text)
            for sample in family.samples
        }
        cpu, uptime = values.get(CPU_SECONDS), values.get(UPTIME)
        rss = values.get(RESIDENT)
        if cpu is None or not uptime or rss is None:
            return None
        return cpu / uptime, int(rss)

    async def teardown(self, experiment_id: UUID, variant: str) -> None:
        """Delete the variant's ProcessPipeline; its ConfigMap and DaemonSet go with it (owner
        references), whichever namespace it was deployed in.
        """
        name = pipeline_name(experiment_id, variant)
        namespace = self.namespaces.pop((experiment_id, variant), None)
        if namespace is not None:
            await self.api.delete(PROCESS_PIPELINES, namespace, name)
            return
        selector = f"{EXPERIMENT_LABEL}={experiment_id},{VARIANT_LABEL}={variant}"
        for found in (await self.api.list(PROCESS_PIPELINES, labels=selector))[0]:
            await self.api.delete(
                PROCESS_PIPELINES, found["metadata"]["namespace"], found["metadata"]["name"]
            )

    async def teardown_all(self) -> None:
        """Nothing on the cluster: the variants run there, not in Phoenix, and outlive its
        restart.
        """
        await self.http.aclose()
