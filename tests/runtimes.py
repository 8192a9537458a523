"""Settings for a whole Phoenix in a test: its own data dir, free ports, quick polling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.settings import Settings


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    """Without database and NATS URLs among ``overrides``, it runs embedded servers of its own."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "api_port": 0,
        "otlp_port": 0,
        "poll_interval": 0.5,
    }
    return Settings(**(values | overrides))
