"""Where a running `phoenix up` is: the runtime file it keeps in its data dir (light to import:
every CLI command that talks to Phoenix reads it).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from adapters.settings import Settings

RUNTIME_FILE = "runtime.json"


@dataclass(frozen=True)
class Endpoints:
    database_url: str | None
    api_url: str | None
    otlp_url: str | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discover(settings: Settings) -> Endpoints:
    """URLs from the environment first, then from a live `phoenix up` in the data dir."""
    running: dict[str, str] = {}
    path = settings.data_dir / RUNTIME_FILE
    if path.exists():
        info = json.loads(path.read_text())
        if _alive(int(info.get("pid", 0))):
            running = info
    return Endpoints(
        database_url=settings.database_url or running.get("database_url"),
        api_url=running.get("api_url"),
        otlp_url=running.get("otlp_url"),
    )
