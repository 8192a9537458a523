"""The Helm chart (deploy/helm/phoenix), rendered by a real helm and judged by the real API server:
every object it renders is accepted by a server-side dry-run apply, and the RBAC it grants is
enough for what Phoenix does on a cluster and no more than that.

No pod runs here, so the Deployment's containers, probes and NetworkPolicy are checked for
validity, not exercised.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml

from adapters.auth.local_key import LocalKey
from adapters.kube.api import (
    DAEMON_SETS,
    EVENTS,
    LEASES,
    Kind,
    KubeApi,
    KubeError,
)
from adapters.kube.deployer import KubernetesDeployer, pipeline_name
from adapters.kube.leadership import LEASE, Leadership
from adapters.kube.operator import Operator
from domain.cluster.commands import RecordPipelineDrift
from domain.experiment.spec import Target
from tests.kube import KubeServers, with_crds
from tests.node_standin import NodeStandIn
from tests.pipeline_configs import EXAMPLE
from tests.waiting import eventually

CHART = Path(__file__).parent.parent.parent / "deploy" / "helm" / "phoenix"
RELEASE_NAMESPACE = "phoenix-system"
ACCOUNT = f"system:serviceaccount:{RELEASE_NAMESPACE}:phoenix"
WORK = "rbac"  # where the experiments' pipelines run
SECRETS = Kind("v1", "secrets")


def rendered(helm: Path, *values: str, api_versions: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out = subprocess.run(
        [
            str(helm),
            "template",
            "phoenix",
            str(CHART),
            "--namespace",
            RELEASE_NAMESPACE,
            "--include-crds",
            *(arg for value in values for arg in ("--set", value)),
            *(arg for version in api_versions for arg in ("--api-versions", version)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


@pytest.mark.parametrize(
    "values",
    [(), ("operator.watchNamespace=fleet", "replicas=3", "signingKey.existingSecret=phoenix-key")],
)
async def test_every_object_the_chart_renders_is_accepted_by_the_api_server(
    kube: KubeServers, helm: Path, values: tuple[str, ...]
) -> None:
    objects = rendered(helm, *values)
    api = await KubeApi.connect(kube.kubeconfig)
    try:
        async with with_crds(kube, RELEASE_NAMESPACE) as http:
            made = await http.post("/api/v1/namespaces", json={"metadata": {"name": "fleet"}})
            assert made.status_code in (201, 409)
            kinds = set()
            for obj in objects:
                answer = await http.patch(
                    _path(obj),
                    content=yaml.safe_dump(obj),
                    params={"fieldManager": "helm-test", "dryRun": "All", "force": "true"},
                    headers={"Content-Type": "application/apply-patch+yaml"},
                )
                assert answer.status_code in (200, 201), (obj["kind"], answer.text)
                kinds.add(obj["kind"])
    finally:
        await api.close()
    assert {"CustomResourceDefinition", "Deployment", "Service", "ServiceAccount"} <= kinds
    assert {"NetworkPolicy", "RoleBinding", "Role"} <= kinds
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["requests"]
    env = {e["name"]: e for e in container["env"]}
    # One signing key for every replica, made at install (one Phoenix accepts) or the user's own.
    keyed = env["PHOENIX_SIGNING_KEY"]["valueFrom"]["secretKeyRef"]["name"]
    secrets = [o for o in objects if o["kind"] == "Secret"]
    if "signingKey.existingSecret=phoenix-key" in values:
        assert (keyed, secrets) == ("phoenix-key", [])
    else:
        [secret] = secrets
        assert keyed == secret["metadata"]["name"]
        LocalKey.from_pem(base64.b64decode(secret["data"]["signing-key.pem"]))
    assert env["PHOENIX_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "phoenix-database"
    assert env["PHOENIX_NATS_URL"]["valueFrom"]["secretKeyRef"]["name"] == "phoenix-nats"


async def test_the_chart_s_rbac_lets_phoenix_do_its_work_on_the_cluster_and_nothing_more(
    kube: KubeServers, helm: Path, otelcol: Path, tmp_path: Path
) -> None:
    """As the chart's ServiceAccount (impersonated), Phoenix leads through the Lease, its
    operator makes a deployed variant ready (the node stand-in, as admin, plays the kubelet), drift
    is reported as an Event, the variant is torn down; and it cannot read a Secret.
    """
    phoenix = await KubeApi.connect(kube.kubeconfig, impersonate=ACCOUNT)
    admin = await KubeApi.connect(kube.kubeconfig)
    stand_in = NodeStandIn(admin, otelcol, tmp_path / "nodes", {"rbac-node": {"fleet": "rbac"}})
    operator = Operator(phoenix, _drift, namespace=WORK)
    leadership = Leadership(phoenix, RELEASE_NAMESPACE, "replica-1")
    stop = asyncio.Event()
    try:
        async with with_crds(kube, WORK) as http:
            for obj in rendered(helm):
                if obj["kind"] == "ServiceAccount" or "Role" in obj["kind"]:
                    answer = await http.patch(
                        _path(obj),
                        content=yaml.safe_dump(obj),
                        params={"fieldManager": "helm-test", "force": "true"},
                        headers={"Content-Type": "application/apply-patch+yaml"},
                    )
                    assert answer.status_code in (200, 201), answer.text
            await stand_in.register()
            tasks = [
                asyncio.create_task(stand_in.run(stop)),
                asyncio.ensure_future(leadership.run(operator.run)(stop)),
            ]
            await asyncio.wait_for(leadership.leading.wait(), 30)
            lease = await phoenix.get(LEASES, RELEASE_NAMESPACE, LEASE)
            assert lease is not None and lease["spec"]["holderIdentity"] == "replica-1"

            xid = UUID("0d6b1f7e-2a4c-4e8d-9b3f-5c7a9e1d3b50")
            deployer = KubernetesDeployer(phoenix, ready_within=60)
            target = Target(namespace=WORK, selector={"fleet": "rbac"})
            deployment = await deployer.deploy(xid, "rbac", EXAMPLE, target=target)
            assert deployment.details["nodes"] == "1"
            name = f"phoenix-{pipeline_name(xid, 'rbac')}"
            await admin.merge_patch(
                DAEMON_SETS, WORK, name, {"metadata": {"labels": {"app.kubernetes.io/name": "x"}}}
            )

            async def reported() -> list[str]:
                events = (await admin.list(EVENTS, WORK))[0]
                return [e["reason"] for e in events if e["involvedObject"]["name"] == name]

            assert await eventually(reported, deadline=30) == ["DriftCorrected"]
            with pytest.raises(KubeError) as refused:
                await phoenix.list(SECRETS, WORK)
            assert refused.value.status == 403

            await deployer.teardown(xid, "rbac")
            await eventually(
                lambda: admin.get(DAEMON_SETS, WORK, name),
                until=lambda found: found is None,
                deadline=60,
            )
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        stop.set()
        await phoenix.close()
        await admin.close()


async def _drift(command: RecordPipelineDrift, uid: str) -> None:
    """Drift reaches Phoenix's log through its bus, not the API server: nothing to check here."""


def _path(obj: dict[str, Any]) -> str:
    group = "api/v1" if obj["apiVersion"] == "v1" else f"apis/{obj['apiVersion']}"
    plural = {
        "ClusterRole": "clusterroles",
        "ClusterRoleBinding": "clusterrolebindings",
        "ConfigMap": "configmaps",
        "CustomResourceDefinition": "customresourcedefinitions",
        "Deployment": "deployments",
        "NetworkPolicy": "networkpolicies",
        "Role": "roles",
        "RoleBinding": "rolebindings",
        "Secret": "secrets",
        "Service": "services",
        "ServiceAccount": "serviceaccounts",
    }[obj["kind"]]
    namespace = obj["metadata"].get("namespace")
    scoped = f"namespaces/{namespace}/" if namespace else ""
    return f"/{group}/{scoped}{plural}/{obj['metadata']['name']}"


async def test_the_kubernetes_examples_are_accepted_by_the_api_server(kube: KubeServers) -> None:
    examples = Path(__file__).parent.parent.parent / "examples" / "kubernetes"
    async with with_crds(kube, "observability") as http:
        for path in sorted(examples.glob("*.yaml")):
            obj = yaml.safe_load(path.read_text())
            plural = {"Experiment": "experiments", "ProcessPipeline": "processpipelines"}
            url = (
                f"/apis/{obj['apiVersion']}/namespaces/{obj['metadata']['namespace']}/"
                f"{plural[obj['kind']]}/{obj['metadata']['name']}"
            )
            answer = await http.patch(
                url,
                content=path.read_text(),
                params={"fieldManager": "kubectl", "dryRun": "All"},
                headers={"Content-Type": "application/apply-patch+yaml"},
            )
            assert answer.status_code in (200, 201), (path.name, answer.text)


async def test_the_chart_plugs_phoenix_s_dashboards_and_alert_rules_into_grafana_and_prometheus(
    kube: KubeServers, helm: Path
) -> None:
    monitoring = CHART.parent.parent / "monitoring"
    objects = rendered(
        helm,
        "monitoring.dashboards.enabled=true",
        "monitoring.rules.enabled=true",
        "monitoring.rules.labels.release=kube-prometheus-stack",
        "metrics.source=prometheus",
        "metrics.prometheusUrl=http://prometheus.monitoring.svc:9090",
    )
    [dashboards] = [o for o in objects if o["metadata"]["name"].endswith("-dashboards")]
    assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert {name: json.loads(text) for name, text in dashboards["data"].items()} == {
        path.name: json.loads(path.read_text())
        for path in (monitoring / "dashboards").glob("*.json")
    }
    # The PrometheusRule only where the Prometheus Operator's CRD is served (not here) ...
    assert not [o for o in objects if o["kind"] == "PrometheusRule"]
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    env = {
        e["name"]: e.get("value")
        for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["PHOENIX_METRICS_SOURCE"] == "prometheus"
    assert env["PHOENIX_PROMETHEUS_URL"] == "http://prometheus.monitoring.svc:9090"
    async with with_crds(kube, RELEASE_NAMESPACE) as http:
        answer = await http.patch(
            _path(dashboards),
            content=yaml.safe_dump(dashboards),
            params={"fieldManager": "helm-test", "dryRun": "All", "force": "true"},
            headers={"Content-Type": "application/apply-patch+yaml"},
        )
        assert answer.status_code in (200, 201), answer.text
    # ... where it is, the rules are exactly deploy/monitoring's.
    with_operator = rendered(
        helm,
        "monitoring.rules.enabled=true",
        api_versions=("monitoring.coreos.com/v1/PrometheusRule",),
    )
    [rule] = [o for o in with_operator if o["kind"] == "PrometheusRule"]
    assert rule["spec"] == yaml.safe_load(
        (monitoring / "rules" / "phoenix-alerts.yaml").read_text()
    )
