"""Users' collector configs for tests: the README's example, and small ones built to order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

EXAMPLE = (Path(__file__).parent.parent / "examples" / "my-collector.yaml").read_text()

DROPS_POSTGRES = {
    "filter/no-postgres": {
        "error_mode": "ignore",
        "metrics": {"datapoint": ['resource.attributes["process.executable.name"] == "postgres"']},
    }
}
DROPS_DISK_AND_VIRTUAL_MEMORY = {
    "filter/lean": {
        "error_mode": "ignore",
        "metrics": {"metric": ['name == "process.disk.io"', 'name == "process.memory.virtual"']},
    }
}


def user_config(processors: dict[str, Any] | None = None, *, interval: str = "10s") -> str:
    """A user's collector: process metrics through ``processors`` (then batch) to a vendor."""
    processors = {**(processors or {}), "batch": {}}
    return yaml.safe_dump(
        {
            "receivers": {
                "hostmetrics": {
                    "collection_interval": interval,
                    "scrapers": {"process": {"mute_process_all_errors": True}},
                }
            },
            "processors": processors,
            "exporters": {"otlphttp/vendor": {"endpoint": "https://otlp.vendor.example:4318"}},
            "service": {
                "pipelines": {
                    "metrics": {
                        "receivers": ["hostmetrics"],
                        "processors": list(processors),
                        "exporters": ["otlphttp/vendor"],
                    }
                }
            },
        },
        sort_keys=False,
    )
