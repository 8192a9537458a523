"""What a ProcessPipeline becomes on a cluster: a ConfigMap with the collector's config and a
DaemonSet running the collector on every selected node, both owned by the pipeline.

The collector reads the host's processes through the host's root mounted read-only at
``/hostfs``, so every ``hostmetrics`` receiver gets ``root_path: /hostfs``; the probes need a
``health_check`` extension on the pod's address, so one is added on 13133 when the config has
none, and one that listens on loopback only listens on every address instead. Nothing else of
the config is changed; its sha256 (after those two) annotates the pods, so a new config rolls.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import yaml

from adapters.kube.crds import GROUP, VERSION
from pipelines import yaml_text
from pipelines.render import render

HOSTFS = "/hostfs"
HEALTH_PORT = 13133
CONFIG_DIR = "/etc/otelcol"
MANAGER = "phoenix"  # the field manager of every server-side apply
METRICS_PORT = "metrics"  # the container port of the collector's own metrics
PIPELINE_LABEL = f"{GROUP}/pipeline"
SHA_ANNOTATION = f"{GROUP}/config-sha256"
GENERATION_ANNOTATION = f"{GROUP}/pipeline-generation"  # the generation a child was made from


def collector_config(spec: dict[str, Any]) -> str:
    """The config the collectors run: the pipeline's own (or its template rendered), with the
    host's root for the process scraper and a health check for the probes.
    """
    text = spec.get("config") or render(spec["template"], dict(spec.get("variables") or {}))
    config = yaml_text.load(text)
    for name, body in (config.get("receivers") or {}).items():
        if name.split("/", 1)[0] == "hostmetrics":
            config["receivers"][name] = {**(body or {}), "root_path": HOSTFS}
    extensions = config.setdefault("extensions", {}) or {}
    config["extensions"] = extensions
    for name, body in extensions.items():
        if name.split("/", 1)[0] == "health_check":
            # The kubelet probes the pod's address: a loopback-only health check never answers.
            port = str((body or {}).get("endpoint", f":{HEALTH_PORT}")).rsplit(":", 1)[1]
            extensions[name] = {**(body or {}), "endpoint": f"0.0.0.0:{port}"}
    if not any(n.split("/", 1)[0] == "health_check" for n in extensions):
        extensions["health_check"] = {"endpoint": f"0.0.0.0:{HEALTH_PORT}"}
        service = config.setdefault("service", {})
        service["extensions"] = [*(service.get("extensions") or []), "health_check"]
    for reader in _pull_readers(config):
        # Phoenix reads the collector's own metrics (its overhead) at the pod's address.
        reader["host"] = "0.0.0.0"
    return yaml.safe_dump(config, sort_keys=False, width=1_000_000)


def _pull_readers(config: dict[str, Any]) -> list[dict[str, Any]]:
    metrics = (((config.get("service") or {}).get("telemetry") or {}).get("metrics")) or {}
    return [
        reader["pull"]["exporter"]["prometheus"]
        for reader in metrics.get("readers") or []
        if isinstance((reader.get("pull") or {}).get("exporter", {}).get("prometheus"), dict)
    ]


def telemetry_port(config: str) -> int | None:
    """Where the collector serves its own metrics (Prometheus), if it does."""
    ports = [int(r["port"]) for r in _pull_readers(yaml_text.load(config)) if r.get("port")]
    return ports[0] if ports else None


def health_port(config: str) -> int:
    extensions = yaml_text.load(config).get("extensions") or {}
    for name, body in extensions.items():
        if name.split("/", 1)[0] == "health_check":
            endpoint = str((body or {}).get("endpoint", f"0.0.0.0:{HEALTH_PORT}"))
            return int(endpoint.rsplit(":", 1)[1])
    return HEALTH_PORT


def _owner(pipeline: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProcessPipeline",
        "name": pipeline["metadata"]["name"],
        "uid": pipeline["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _only_on(hosts: list[str]) -> dict[str, Any]:
    if not hosts:
        return {}
    term = {"key": "kubernetes.io/hostname", "operator": "In", "values": sorted(hosts)}
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [term]}]
            }
        }
    }


def children(pipeline: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ConfigMap and the DaemonSet for ``pipeline`` (a ProcessPipeline as the API server
    returns it, uid included), ready for a server-side apply.
    """
    name = pipeline["metadata"]["name"]
    namespace = pipeline["metadata"].get("namespace", "default")
    spec = pipeline["spec"]
    config = collector_config(spec)
    sha = hashlib.sha256(config.encode()).hexdigest()
    resource = f"phoenix-{name}"
    labels = {
        **(spec.get("labels") or {}),
        "app.kubernetes.io/name": "phoenix-collector",
        "app.kubernetes.io/managed-by": MANAGER,
        PIPELINE_LABEL: name,
    }
    metadata = {
        "name": resource,
        "namespace": namespace,
        "labels": labels,
        "annotations": {
            SHA_ANNOTATION: sha,
            GENERATION_ANNOTATION: str(pipeline["metadata"].get("generation", 1)),
        },
        "ownerReferences": [_owner(pipeline)],
    }
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": copy.deepcopy(metadata),
        "data": {"config.yaml": config},
    }
    port = health_port(config)
    probe = {"httpGet": {"path": "/", "port": port}, "periodSeconds": 10}
    container = {
        "name": "otelcol",
        "image": spec.get("image") or "otel/opentelemetry-collector-contrib:0.159.0",
        "args": [f"--config={CONFIG_DIR}/config.yaml"],
        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "ports": [
            {"name": "health", "containerPort": port},
            *(
                [{"name": METRICS_PORT, "containerPort": metrics}]
                if (metrics := telemetry_port(config))
                else []
            ),
        ],
        "livenessProbe": probe,
        "readinessProbe": probe,
        "resources": spec.get("resources") or {},
        "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False},
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {
                "name": "hostfs",
                "mountPath": HOSTFS,
                "readOnly": True,
                "mountPropagation": "HostToContainer",
            },
        ],
    }
    daemon_set = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": copy.deepcopy(metadata),
        "spec": {
            "selector": {"matchLabels": {PIPELINE_LABEL: name}},
            "template": {
                "metadata": {"labels": labels, "annotations": {SHA_ANNOTATION: sha}},
                "spec": {
                    "nodeSelector": spec.get("node_selector") or {},
                    "affinity": _only_on(spec.get("hosts") or []),
                    "tolerations": spec.get("tolerations") or [],
                    "containers": [container],
                    "volumes": [
                        {"name": "config", "configMap": {"name": resource}},
                        {"name": "hostfs", "hostPath": {"path": "/"}},
                    ],
                },
            },
        },
    }
    return config_map, daemon_set
