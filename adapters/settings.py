"""Phoenix's settings, read from PHOENIX_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEPLOYERS = ("local", "process", "kubernetes")  # what PHOENIX_DEPLOYER may name
METRICS_SOURCES = ("local", "prometheus")  # what PHOENIX_METRICS_SOURCE may name


@dataclass(frozen=True)
class Settings:
    """Where Phoenix keeps its data and finds its servers; unset URLs mean embedded servers."""

    data_dir: Path = Path(".phoenix")
    database_url: str | None = None
    nats_url: str | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    otlp_port: int = 4318  # Phoenix's OTLP/HTTP sink, where variants and load send
    otlp_public_url: str | None = None  # the sink as collectors elsewhere reach it (a Service)
    poll_interval: float = 1.0
    supervise_interval: float = 1.0  # how often embedded servers and the bus are checked
    deployer: str = "local"
    gitops_dir: Path | None = None
    gitops_remote: str | None = None
    # Who may call (README "Security", ADR 0008): an OIDC provider besides the local key.
    oidc_jwks_url: str | None = None
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_roles_claim: str = "roles"
    oidc_subject_claim: str = "sub"
    metrics_public: bool = True  # /metrics without a token, for a Prometheus scraper
    api_tls_cert: Path | None = None
    api_tls_key: Path | None = None
    command_rate_limit: str = "20/second"  # per subject, on POST /api/v1/commands
    nats_creds: Path | None = None  # a NATS credentials file (external NATS)
    nats_ca: Path | None = None  # TLS to an external NATS: the CA, and a client cert if asked
    nats_cert: Path | None = None
    nats_key: Path | None = None
    # Kubernetes (README "Run it on Kubernetes"): a kubeconfig, or "in-cluster" for the pod's
    # service account; unset, Phoenix runs no operator. The namespace it watches (all if unset).
    kubeconfig: str | None = None
    # The key every replica signs with (PEM, Ed25519), from a Secret; unset, the data dir's own.
    signing_key: str | None = field(default=None, repr=False)
    kube_namespace: str | None = None
    # Where the variants are measured (README "Measuring through Prometheus"): Phoenix's own sink
    # (local), or a Prometheus: at prometheus_url, or one Phoenix starts when that is unset.
    metrics_source: str = "local"
    prometheus_url: str | None = None
    prometheus_otlp_url: str | None = None  # as collectors reach it; else prometheus_url's
    prometheus_port: int = 9091  # the Prometheus Phoenix starts

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        settings = cls(
            data_dir=Path(env.get("PHOENIX_DATA_DIR", ".phoenix")),
            database_url=env.get("PHOENIX_DATABASE_URL") or None,
            nats_url=env.get("PHOENIX_NATS_URL") or None,
            api_host=env.get("PHOENIX_API_HOST", "127.0.0.1"),
            api_port=int(env.get("PHOENIX_API_PORT", "8080")),
            otlp_port=int(env.get("PHOENIX_OTLP_PORT", "4318")),
            otlp_public_url=env.get("PHOENIX_OTLP_PUBLIC_URL") or None,
            deployer=env.get("PHOENIX_DEPLOYER", "local"),
            gitops_dir=Path(env["PHOENIX_GITOPS_DIR"]) if env.get("PHOENIX_GITOPS_DIR") else None,
            gitops_remote=env.get("PHOENIX_GITOPS_REMOTE") or None,
            oidc_jwks_url=env.get("PHOENIX_OIDC_JWKS_URL") or None,
            oidc_issuer=env.get("PHOENIX_OIDC_ISSUER") or None,
            oidc_audience=env.get("PHOENIX_OIDC_AUDIENCE") or None,
            oidc_roles_claim=env.get("PHOENIX_OIDC_ROLES_CLAIM") or "roles",
            oidc_subject_claim=env.get("PHOENIX_OIDC_SUBJECT_CLAIM") or "sub",
            metrics_public=_flag(env, "PHOENIX_METRICS_PUBLIC", True),
            api_tls_cert=_path(env, "PHOENIX_API_TLS_CERT"),
            api_tls_key=_path(env, "PHOENIX_API_TLS_KEY"),
            command_rate_limit=env.get("PHOENIX_COMMAND_RATE_LIMIT") or "20/second",
            nats_creds=_path(env, "PHOENIX_NATS_CREDS"),
            nats_ca=_path(env, "PHOENIX_NATS_CA"),
            nats_cert=_path(env, "PHOENIX_NATS_CERT"),
            nats_key=_path(env, "PHOENIX_NATS_KEY"),
            kubeconfig=env.get("PHOENIX_KUBECONFIG") or None,
            signing_key=env.get("PHOENIX_SIGNING_KEY") or None,
            kube_namespace=env.get("PHOENIX_KUBE_NAMESPACE") or None,
            metrics_source=env.get("PHOENIX_METRICS_SOURCE") or "local",
            prometheus_url=env.get("PHOENIX_PROMETHEUS_URL") or None,
            prometheus_otlp_url=env.get("PHOENIX_PROMETHEUS_OTLP_URL") or None,
            prometheus_port=int(env.get("PHOENIX_PROMETHEUS_PORT", "9091")),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]

    @property
    def gitops_path(self) -> Path:
        """The GitOps repository promotions are committed to (created when missing)."""
        return self.gitops_dir or self.data_dir / "gitops"

    @property
    def embedded(self) -> bool:
        return self.database_url is None or self.nats_url is None


class SettingsError(ValueError):
    """A setting is invalid; the message names the environment variable."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r}: use true or false")


def _path(env: Mapping[str, str], name: str) -> Path | None:
    return Path(env[name]) if env.get(name) else None


def redacted(url: str) -> str:
    """The URL without its password, to show or log."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    # A user alone may be a token itself (https://TOKEN@github.com/…): then none of it is shown.
    shown = f"{parts.username}:***" if parts.password is not None else "***"
    return urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def async_database_url(url: str) -> str:
    """A SQLAlchemy URL that uses asyncpg, from any postgres:// or postgresql:// URL.

    libpq's ``sslmode`` becomes asyncpg's ``ssl`` (same values: disable, prefer, require,
    verify-ca, verify-full); the CA comes from ``PGSSLROOTCERT`` as with libpq.
    """
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            rewritten = "postgresql+asyncpg://" + url[len(prefix) :]
            parsed = urlsplit(rewritten)
            if "sslmode" not in dict(parse_qsl(parsed.query)):
                return rewritten
            query = [("ssl" if k == "sslmode" else k, v) for k, v in parse_qsl(parsed.query)]
            return urlunsplit(parsed._replace(query=urlencode(query)))
    raise ValueError(f"not a PostgreSQL URL: {url!r}")
