"""Phoenix's settings, read from PHOENIX_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where Phoenix keeps its data and finds its servers; unset URLs mean embedded servers."""

    data_dir: Path = Path(".phoenix")
    database_url: str | None = None
    nats_url: str | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    otlp_port: int = 4318  # Phoenix's OTLP/HTTP sink, where variants and load send
    poll_interval: float = 1.0
    supervise_interval: float = 1.0  # how often embedded servers and the bus are checked
    deployer: str = "local"
    gitops_dir: Path | None = None
    gitops_remote: str | None = None

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
            deployer=env.get("PHOENIX_DEPLOYER", "local"),
            gitops_dir=Path(env["PHOENIX_GITOPS_DIR"]) if env.get("PHOENIX_GITOPS_DIR") else None,
            gitops_remote=env.get("PHOENIX_GITOPS_REMOTE") or None,
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]

    @property
    def gitops_path(self) -> Path:
        """The GitOps repository promotions are committed to (created when missing)."""
        return self.gitops_dir or self.data_dir / "gitops"

    @property
    def embedded(self) -> bool:
        return self.database_url is None or self.nats_url is None


def async_database_url(url: str) -> str:
    """A SQLAlchemy URL that uses asyncpg, from any postgres:// or postgresql:// URL."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r}")
