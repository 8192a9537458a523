"""Settings for a whole Phoenix in a test: its own data dir, free ports, quick polling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.settings import Settings
from gateway.local_tokens import ADMIN_TOKEN_FILE


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    """Without database and NATS URLs among ``overrides``, it runs embedded servers of its own."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "api_port": 0,
        "otlp_port": 0,
        "poll_interval": 0.5,
    }
    return Settings(**(values | overrides))


def admin_headers(data_dir: Path) -> dict[str, str]:
    """The Authorization header of the admin token a started Phoenix wrote to its data dir."""
    token = (data_dir / ADMIN_TOKEN_FILE).read_text().strip()
    return {"Authorization": f"Bearer {token}"}
