"""`phoenix operator` alone, beside a Phoenix that runs no operator: an Experiment object applied
to the real API server becomes Phoenix's experiment (sent as ``operator:kubernetes``, accepted
because both sign with the replicas' key), and deleting it cancels the experiment.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from adapters.auth.local_key import LocalKey
from adapters.embedded.servers import Servers
from adapters.kube.api import EXPERIMENTS, KubeApi
from adapters.kube.crds import GROUP, VERSION
from adapters.nats.bus import NatsBus
from gateway.runtime import Runtime
from tests.conftest import nats_url_of
from tests.e2e.experiments import filter_and_dropper
from tests.kube import KubeServers, with_crds
from tests.processes import cli_env
from tests.runtimes import settings_for
from tests.waiting import eventually

NAMESPACE = "operator-alone"


@pytest.fixture
def pem() -> str:
    key = LocalKey.generate().private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key.decode()


@pytest.fixture
def alone(
    kube: KubeServers, servers: Servers, database_url: str, pem: str, tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    log = (tmp_path / "operator.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-c", "from gateway.cli import main; main()", "operator"],
        env=cli_env(
            tmp_path / "operator",
            PHOENIX_KUBECONFIG=str(kube.kubeconfig),
            PHOENIX_KUBE_NAMESPACE=NAMESPACE,
            PHOENIX_NATS_URL=nats_url_of(servers),
            PHOENIX_DATABASE_URL=database_url,
            PHOENIX_SIGNING_KEY=pem,
        ),
        stdout=log,
        stderr=log,
    )
    yield process
    process.terminate()
    process.wait(30)


async def test_the_operator_alone_runs_an_experiment_object_through_phoenix(
    kube: KubeServers,
    servers: Servers,
    database_url: str,
    bus: NatsBus,
    pem: str,
    tmp_path: Path,
    alone: subprocess.Popen[bytes],
) -> None:
    settings = settings_for(
        tmp_path, database_url=database_url, nats_url=nats_url_of(servers), signing_key=pem
    )
    api = await KubeApi.connect(kube.kubeconfig)
    try:
        async with with_crds(kube, NAMESPACE):
            runtime = await Runtime.start(settings, api=False)  # no kubeconfig: no operator
            try:
                assert runtime.kube is None
                await api.apply(_experiment())
                status = await eventually(
                    lambda: _status(api),
                    until=lambda s: s.get("phase") == "Running" or "reason" in s,
                    deadline=120,
                )
                assert status["phase"] == "Running", status
                stream = f"experiment-{status['experimentId']}"
                created = (await runtime.store.read_stream(stream))[0]
                assert created.type == "ExperimentCreated"
                assert created.metadata.actor == "operator:kubernetes"

                await api.delete(EXPERIMENTS, NAMESPACE, "alone")
                await eventually(
                    lambda: api.get(EXPERIMENTS, NAMESPACE, "alone"),
                    until=lambda found: found is None,
                    deadline=120,
                )
                kinds = [e.type for e in await runtime.store.read_stream(stream)]
                assert "ExperimentCancelled" in kinds
            finally:
                await runtime.stop()
    finally:
        await api.close()
    assert alone.poll() is None, "phoenix operator exited"


def _experiment() -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Experiment",
        "metadata": {"name": "alone", "namespace": NAMESPACE},
        "spec": filter_and_dropper(
            "operator alone",
            filtered="keeps",
            dropper_critical=["^mysqld$"],
            interval="1s",
            duration=600,
        ),
    }


async def _status(api: KubeApi) -> dict[str, Any]:
    found = await api.get(EXPERIMENTS, NAMESPACE, "alone")
    return dict((found or {}).get("status") or {})
