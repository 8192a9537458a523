"""A stand-in for the kubelet, for Phoenix's DaemonSets only: there is no kubelet here.

What it does: registers a few ``Node`` objects with the real API server; for every DaemonSet
Phoenix manages, on every registered node its node selector and tolerations admit, it runs a real
``otelcol`` process with the config from the DaemonSet's ConfigMap (``NODE_NAME`` set to the node),
writes a Pod object for each (on the node, at 127.0.0.1, its ports where that collector listens:
so Phoenix reads a collector's own metrics as it would a pod's), and writes the DaemonSet's status
as the DaemonSet controller and kubelets would together (desired, current, updated, ready,
observedGeneration). A collector is ready when its health check
answers; a changed ConfigMap or pod template restarts it; a deleted DaemonSet stops it.

What it changes in the config so several "nodes" share this one host: every endpoint a receiver
or extension listens on, the health check and the collector's own telemetry move to free loopback
ports, and the process scraper reads this host's
``/`` (on a node it reads the host's root mounted at ``/hostfs``).

What it does not prove: that a pod starts from the DaemonSet on a real kubelet (image pull,
volumes, hostPath and mount propagation, probes, security context, resource limits), scheduling
beyond node selectors, node affinity by hostname and NoSchedule taints, or the DaemonSet controller's rolling updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from adapters.collector.process import CollectorProcess
from adapters.embedded.ports import free_port
from adapters.kube.api import CONFIG_MAPS, DAEMON_SETS, NODES, PODS, KubeApi, KubeError, Obj
from adapters.kube.informer import Informer, key_of
from adapters.kube.manifests import MANAGER
from adapters.kube.work_queue import WorkQueue


async def eventually_absent(api: KubeApi, namespace: str, name: str) -> None:
    """Until the pod of that name is gone (a deleted pod lingers while it terminates)."""
    for _ in range(200):
        if await api.get(PODS, namespace, name) is None:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"pod {namespace}/{name} still there")


def admits(daemon_set: Obj, node: Obj) -> bool:
    """Does the pod template's node selector and tolerations let it run on ``node``?"""
    pod = daemon_set["spec"]["template"]["spec"]
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod.get("nodeSelector") or {}).items()):
        return False
    required = (
        (pod.get("affinity") or {})
        .get("nodeAffinity", {})
        .get("requiredDuringSchedulingIgnoredDuringExecution", {})
        .get("nodeSelectorTerms")
    )
    if required and not any(_matches(term, labels) for term in required):
        return False
    tolerations = pod.get("tolerations") or []
    taints = (node.get("spec") or {}).get("taints") or []
    return all(
        any(_tolerates(t, taint) for t in tolerations)
        for taint in taints
        if taint.get("effect") in ("NoSchedule", "NoExecute")
        # The DaemonSet controller gives its pods tolerations of the node-condition taints (the
        # API server puts node.kubernetes.io/not-ready on every new Node).
        and not taint["key"].startswith("node.kubernetes.io/")
    )


def _matches(term: dict[str, Any], labels: dict[str, str]) -> bool:
    """A node selector term, for the ``In`` expressions Phoenix writes."""
    return all(
        e.get("operator") == "In" and labels.get(e["key"]) in e.get("values", [])
        for e in term.get("matchExpressions") or []
    )


def _tolerates(toleration: dict[str, Any], taint: dict[str, Any]) -> bool:
    if toleration.get("operator") == "Exists":
        return toleration.get("key") in (None, taint["key"])
    return bool(
        toleration.get("key") == taint["key"] and toleration.get("value") == taint.get("value")
    )


def local_config(config: str) -> tuple[str, int, int]:
    """The node's config made to run beside others on this host: its text, health and
    telemetry ports.
    """
    body: dict[str, Any] = yaml.safe_load(config)
    health, telemetry = free_port(), free_port()
    for name, receiver in (body.get("receivers") or {}).items():
        if name.split("/", 1)[0] == "hostmetrics":
            body["receivers"][name] = {**(receiver or {}), "root_path": "/"}
    for section in ("receivers", "extensions"):
        _own_ports(body.get(section) or {})
    for name, extension in (body.get("extensions") or {}).items():
        if name.split("/", 1)[0] == "health_check":
            body["extensions"][name] = {**(extension or {}), "endpoint": f"127.0.0.1:{health}"}
    service = body.setdefault("service", {})
    metrics = service.setdefault("telemetry", {}).setdefault("metrics", {})
    pull = {"exporter": {"prometheus": {"host": "127.0.0.1", "port": telemetry}}}
    metrics["readers"] = [
        reader if "periodic" in reader else {"pull": pull}
        for reader in (metrics.get("readers") or [{"pull": pull}])
    ]
    return yaml.safe_dump(body, sort_keys=False), health, telemetry


def _own_ports(tree: dict[str, Any]) -> None:
    """Every ``host:port`` a receiver or extension listens on, moved to a free loopback port (a
    pod has its own network namespace; these processes share this host's).
    """
    for key, value in tree.items():
        if isinstance(value, dict):
            _own_ports(value)
        elif key == "endpoint" and isinstance(value, str) and re.fullmatch(r"[^/]*:\d+", value):
            tree[key] = f"127.0.0.1:{free_port()}"


@dataclass
class _Collector:
    sha: str
    process: CollectorProcess
    telemetry: int
    ready: bool = False
    pod: str | None = None


@dataclass
class NodeStandIn:
    """Plays the kubelet on ``nodes`` (name -> labels) for Phoenix's DaemonSets."""

    api: KubeApi
    otelcol: Path
    directory: Path
    nodes: dict[str, dict[str, str]]
    taints: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    running: dict[tuple[str, str], _Collector] = field(default_factory=dict)
    queue: WorkQueue = field(default_factory=WorkQueue)

    async def register(self) -> None:
        for name, labels in self.nodes.items():
            node = {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": {**labels, "kubernetes.io/hostname": name}},
                "spec": {"taints": self.taints.get(name, [])},
            }
            if await self.api.get(NODES, None, name) is None:
                await self.api.create(NODES, None, node)

    async def run(self, stop: asyncio.Event) -> None:
        informer = Informer(
            self.api,
            DAEMON_SETS,
            lambda _, obj: self.queue.add(key_of(obj)),
            labels=f"app.kubernetes.io/managed-by={MANAGER}",
        )
        pods = Informer(
            self.api,
            PODS,
            lambda _, obj: self.queue.add(f"pod:{key_of(obj)}"),
            labels=f"app.kubernetes.io/managed-by={MANAGER}",
        )
        tasks = [
            asyncio.create_task(informer.run(stop)),
            asyncio.create_task(pods.run(stop)),
            asyncio.create_task(self.queue.work(self.sync, stop)),
        ]
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self.queue.close()
            self.stop_all()

    def telemetry_ports(self, namespace: str, daemon_set: str) -> dict[str, int]:
        """Node -> the port its collector's own metrics answer on."""
        prefix = f"{namespace}/{daemon_set}"
        return {
            node: collector.telemetry
            for (key, node), collector in self.running.items()
            if key == prefix
        }

    async def sync(self, key: str) -> None:
        if key.startswith("pod:"):
            await self._finish_deleting(key.removeprefix("pod:"))
            return
        namespace, name = key.split("/", 1)
        daemon_set = await self.api.get(DAEMON_SETS, namespace, name)
        if daemon_set is None or daemon_set["metadata"].get("deletionTimestamp"):
            await self._stop(key, set())
            return
        volumes = daemon_set["spec"]["template"]["spec"].get("volumes") or []
        config_map_name = next(v["configMap"]["name"] for v in volumes if "configMap" in v)
        config_map = await self.api.get(CONFIG_MAPS, namespace, config_map_name)
        nodes = [n for n in (await self.api.list(NODES))[0] if n["metadata"]["name"] in self.nodes]
        chosen = {n["metadata"]["name"] for n in nodes if admits(daemon_set, n)}
        await self._stop(key, chosen)
        config = (config_map or {}).get("data", {}).get("config.yaml")
        template = daemon_set["spec"]["template"]
        sha = hashlib.sha256(f"{config}{yaml.safe_dump(template)}".encode()).hexdigest()
        for node in sorted(chosen):
            current = self.running.get((key, node))
            if config is None or (current is not None and current.sha == sha):
                continue
            if current is not None:
                await self._gone(namespace, current)
            collector = await self._start(key, node, config, sha)
            self.running[(key, node)] = collector
            collector.pod = await self._pod(daemon_set, node, collector)
        await self._status(daemon_set, chosen, sha)

    async def _pod(self, daemon_set: Obj, node: str, collector: _Collector) -> str:
        """The pod the DaemonSet controller would make, as the kubelet would report it: on the
        node, at this host's loopback address, its ports where this node's collector listens.
        """
        metadata = daemon_set["metadata"]
        template = daemon_set["spec"]["template"]
        name = f"{metadata['name']}-{node}"[:63].rstrip("-")
        container = template["spec"]["containers"][0]
        ports = [
            {**port, "containerPort": collector.telemetry}
            if port.get("name") == "metrics"
            else port
            for port in container.get("ports") or []
        ]
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": metadata["namespace"],
                "labels": template["metadata"].get("labels") or {},
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "DaemonSet",
                        "name": metadata["name"],
                        "uid": metadata["uid"],
                        "controller": True,
                    }
                ],
            },
            "spec": {
                "nodeName": node,
                "automountServiceAccountToken": False,
                "containers": [
                    {"name": container["name"], "image": container["image"], "ports": ports}
                ],
            },
        }
        await self.api.delete(PODS, metadata["namespace"], name, grace_seconds=0)
        await eventually_absent(self.api, metadata["namespace"], name)
        await self.api.create(PODS, metadata["namespace"], pod)
        running = "Running" if collector.ready else "Pending"
        await self.api.merge_patch(
            PODS,
            metadata["namespace"],
            name,
            {"status": {"phase": running, "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}]}},
            status=True,
        )
        return name

    async def _finish_deleting(self, key: str) -> None:
        """What a kubelet does for a pod being deleted: stop its container, then confirm."""
        namespace, name = key.split("/", 1)
        pod = await self.api.get(PODS, namespace, name)
        if pod is None or not pod["metadata"].get("deletionTimestamp"):
            return
        for running_key, collector in list(self.running.items()):
            if collector.pod == name and running_key[0].startswith(f"{namespace}/"):
                collector.process.stop()
        await self.api.delete(PODS, namespace, name, grace_seconds=0)

    async def _gone(self, namespace: str, collector: _Collector) -> None:
        collector.process.stop()
        if collector.pod is not None:
            with contextlib.suppress(KubeError):
                await self.api.delete(PODS, namespace, collector.pod, grace_seconds=0)

    async def _start(self, key: str, node: str, config: str, sha: str) -> _Collector:
        text, health, telemetry = local_config(config)
        folder = self.directory / key.replace("/", "_") / node
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.yaml").write_text(text)
        process = CollectorProcess(
            self.otelcol,
            folder / "config.yaml",
            f"http://127.0.0.1:{health}/",
            folder / "otelcol.log",
            env={"NODE_NAME": node},
        )
        process.spawn()
        collector = _Collector(sha, process, telemetry)
        try:
            await asyncio.to_thread(process.wait_healthy, deadline_s=30)
            collector.ready = True
        except (RuntimeError, TimeoutError):
            collector.ready = False
        return collector

    async def _status(self, daemon_set: Obj, chosen: set[str], sha: str) -> None:
        key = key_of(daemon_set)
        collectors = [self.running[(key, n)] for n in chosen if (key, n) in self.running]
        ready = sum(1 for c in collectors if c.ready and c.process.alive())
        status = {
            "desiredNumberScheduled": len(chosen),
            "currentNumberScheduled": len(collectors),
            "updatedNumberScheduled": sum(1 for c in collectors if c.sha == sha),
            "numberReady": ready,
            "numberAvailable": ready,
            "numberUnavailable": len(chosen) - ready,
            "numberMisscheduled": 0,
            "observedGeneration": daemon_set["metadata"]["generation"],
        }
        metadata = daemon_set["metadata"]
        with contextlib.suppress(KubeError):  # deleted meanwhile: nothing to report
            await self.api.merge_patch(
                DAEMON_SETS,
                metadata["namespace"],
                metadata["name"],
                {"status": status},
                status=True,
            )

    async def _stop(self, key: str, keep: set[str]) -> None:
        for running_key, node in list(self.running):
            if running_key == key and node not in keep:
                collector = self.running.pop((running_key, node))
                await self._gone(running_key.split("/", 1)[0], collector)

    def stop_all(self) -> None:
        for collector in self.running.values():
            collector.process.stop()
        self.running.clear()
