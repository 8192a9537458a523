"""A real kube-apiserver, etcd and kube-controller-manager on loopback for the Kubernetes tests,
with a PKI made here.

They are built by ``scripts/build-kube`` (cached outside the repository). This is the real API
server: validation, structural schemas and CEL rules, defaulting, RBAC, watches and conflicts are
its own; the controller manager runs its garbage collector (owner references cascade), namespace
and service-account controllers. What does not run: no kubelet, no scheduler and no DaemonSet
controller, so no pod ever starts and no DaemonSet gets a status from Kubernetes; tests that need
those say what plays them (tests/node_standin.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from adapters.embedded.ports import free_port
from adapters.kube.crds import crds

KUBE = "v1.37.2"
# The controller manager's part here; the DaemonSet controller is not among them, because the node
# stand-in writes the DaemonSet status that it and the kubelets would.
CONTROLLERS = (
    "garbage-collector-controller",
    "namespace-controller",
    "serviceaccount-controller",
    "serviceaccount-token-controller",
    "root-ca-certificate-publisher-controller",
)


def find_kube() -> Path | None:
    """PHOENIX_KUBE_BIN, or the cache scripts/build-kube fills; None if neither has both."""
    named = os.environ.get("PHOENIX_KUBE_BIN")
    cache = os.environ.get("PHOENIX_KUBE_CACHE") or str(
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "phoenix" / "kube"
    )
    found = Path(named) if named else Path(cache) / KUBE / "bin"
    binaries = ("kube-apiserver", "kube-controller-manager", "etcd")
    ready = all((found / b).is_file() for b in binaries)
    return found if ready else None


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Name, rsa.RSAPrivateKey] | None,
    *,
    usage: x509.ObjectIdentifier | None = None,
    ca: bool = False,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    name, signer = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256())


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _distinct_ports(count: int) -> list[int]:
    """Free loopback ports, no two the same (a port just released may be handed out again)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@dataclass
class KubeServers:
    """etcd and kube-apiserver on free loopback ports, their data under ``directory``."""

    bin: Path
    directory: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def admin_tls(self) -> ssl.SSLContext:
        """TLS as the cluster's admin: trusts the test CA, presents the admin certificate."""
        pki = self.directory / "pki"
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        return context

    @property
    def kubeconfig(self) -> Path:
        return self.directory / "kubeconfig"

    def _pki(self) -> None:
        pki = self.directory / "pki"
        pki.mkdir(parents=True, exist_ok=True)
        ca_key = _key()
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "phoenix-test-ca")])
        ca = _certificate(ca_name, ca_key, None, ca=True)
        server_key = _key()
        server = _certificate(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]),
            server_key,
            (ca_name, ca_key),
            usage=ExtendedKeyUsageOID.SERVER_AUTH,
        )
        admin_key = _key()
        admin = _certificate(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "phoenix-test-admin"),
                ]
            ),
            admin_key,
            (ca_name, ca_key),
            usage=ExtendedKeyUsageOID.CLIENT_AUTH,
        )
        sa_key = _key()
        files = {
            "ca.crt": _cert_pem(ca),
            "apiserver.crt": _cert_pem(server),
            "apiserver.key": _pem(server_key),
            "admin.crt": _cert_pem(admin),
            "admin.key": _pem(admin_key),
            "sa.key": _pem(sa_key),
            "sa.pub": sa_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        }
        for name, data in files.items():
            (pki / name).write_bytes(data)
            (pki / name).chmod(0o600)

    def _write_kubeconfig(self) -> None:
        pki = self.directory / "pki"
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "test",
                    "cluster": {"server": self.url, "certificate-authority": str(pki / "ca.crt")},
                }
            ],
            "users": [
                {
                    "name": "admin",
                    "user": {
                        "client-certificate": str(pki / "admin.crt"),
                        "client-key": str(pki / "admin.key"),
                    },
                }
            ],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "admin"}}],
            "current-context": "test",
        }
        self.kubeconfig.write_text(yaml.safe_dump(config))

    def start(self, *, within: float = 60.0) -> KubeServers:
        self._pki()
        pki = self.directory / "pki"
        client, peer, self.port = _distinct_ports(3)
        log = (self.directory / "servers.log").open("ab")
        etcd_url = f"http://127.0.0.1:{client}"
        self.processes.append(
            subprocess.Popen(
                [
                    str(self.bin / "etcd"),
                    "--name=default",
                    f"--data-dir={self.directory / 'etcd'}",
                    f"--listen-client-urls={etcd_url}",
                    f"--advertise-client-urls={etcd_url}",
                    f"--listen-peer-urls=http://127.0.0.1:{peer}",
                    f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                    f"--initial-cluster=default=http://127.0.0.1:{peer}",
                    "--unsafe-no-fsync",
                ],
                stdout=log,
                stderr=log,
            )
        )
        self.processes.append(
            subprocess.Popen(
                [
                    str(self.bin / "kube-apiserver"),
                    f"--etcd-servers={etcd_url}",
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    f"--secure-port={self.port}",
                    f"--tls-cert-file={pki / 'apiserver.crt'}",
                    f"--tls-private-key-file={pki / 'apiserver.key'}",
                    f"--client-ca-file={pki / 'ca.crt'}",
                    f"--service-account-key-file={pki / 'sa.pub'}",
                    f"--service-account-signing-key-file={pki / 'sa.key'}",
                    "--service-account-issuer=https://kubernetes.default.svc",
                    "--service-cluster-ip-range=10.0.0.0/24",
                    "--endpoint-reconciler-type=none",
                    "--authorization-mode=RBAC",
                    f"--cert-dir={self.directory / 'certs'}",
                ],
                stdout=log,
                stderr=log,
            )
        )
        self._write_kubeconfig()
        self._wait_ready(within)
        self.processes.append(
            subprocess.Popen(
                [
                    str(self.bin / "kube-controller-manager"),
                    f"--kubeconfig={self.kubeconfig}",
                    "--secure-port=0",
                    "--leader-elect=false",
                    f"--service-account-private-key-file={pki / 'sa.key'}",
                    f"--root-ca-file={pki / 'ca.crt'}",
                    f"--controllers={','.join(CONTROLLERS)}",
                ],
                stdout=log,
                stderr=log,
            )
        )
        return self

    def _wait_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        with httpx.Client(verify=self.admin_tls(), timeout=2) as http:
            while time.monotonic() < deadline:
                for process in self.processes:
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"a server exited with {process.returncode}; see "
                            f"{self.directory / 'servers.log'}"
                        )
                try:
                    if http.get(f"{self.url}/readyz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"kube-apiserver not ready within {within:g}s")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.asynccontextmanager
async def with_crds(kube: KubeServers, namespace: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the API server as its admin, once Phoenix's CRDs are Established and
    ``namespace`` exists (made by an earlier test of the session is fine).
    """
    async with httpx.AsyncClient(base_url=kube.url, verify=kube.admin_tls(), timeout=10) as http:
        for crd in crds().values():
            made = await http.post(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd
            )
            assert made.status_code in (201, 409), made.text
        deadline = time.monotonic() + 30
        for name in (c["metadata"]["name"] for c in crds().values()):
            while True:
                found = (
                    await http.get(
                        f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
                    )
                ).json()
                status = found.get("status", {}).get("conditions", [])
                if {c["type"]: c["status"] for c in status}.get("Established") == "True":
                    break
                assert time.monotonic() < deadline, f"{name} not Established"
                await asyncio.sleep(0.05)
        made = await http.post("/api/v1/namespaces", json={"metadata": {"name": namespace}})
        assert made.status_code in (201, 409), made.text
        yield http
