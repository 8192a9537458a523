"""A Prometheus on loopback (built by scripts/build-prometheus), configured as Phoenix measures with it."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import yaml

from adapters.embedded.child_server import ChildServer
from adapters.embedded.ports import free_port

VERSION = "v3.16.0"

# What Phoenix needs of a Prometheus it measures through (README "Measuring through
# Prometheus"): every resource attribute a label, so two processes never fold into one series,
# and attribute names kept as written, so a series' labels are its OTel attributes.
OTLP_SETTINGS = {
    "promote_all_resource_attributes": True,
    "translation_strategy": "NoUTF8EscapingWithSuffixes",
}
# A collector's batch may hold a point older than the newest of its series (a retry, a restart);
# without a window Prometheus refuses the whole request for it.
OUT_OF_ORDER_WINDOW = "30m"


def find_prometheus() -> Path | None:
    """The directory holding ``prometheus`` and ``promtool``: PHOENIX_PROMETHEUS_BIN, or the
    build cache scripts/build-prometheus fills; None if neither has them.
    """
    named = os.environ.get("PHOENIX_PROMETHEUS_BIN")
    if named:
        found = Path(named)
    else:
        cache = os.environ.get("PHOENIX_PROMETHEUS_CACHE") or str(
            Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
            / "phoenix"
            / "prometheus"
        )
        found = Path(cache) / VERSION / "bin"
    has_both = (found / "prometheus").is_file() and (found / "promtool").is_file()
    return found if has_both else None


def config_for(
    *,
    scrape: Sequence[str] = (),
    scrape_interval: str = "5s",
    rule_files: Sequence[Path] = (),
) -> dict[str, object]:
    """Phoenix's Prometheus config: the OTLP settings above, and Phoenix's /metrics scraped."""
    config: dict[str, object] = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "otlp": dict(OTLP_SETTINGS),
        "storage": {"tsdb": {"out_of_order_time_window": OUT_OF_ORDER_WINDOW}},
        "scrape_configs": [
            {"job_name": "phoenix", "static_configs": [{"targets": list(scrape)}]},
        ]
        if scrape
        else [],
    }
    if rule_files:
        config["rule_files"] = [str(p) for p in rule_files]
    return config


class EmbeddedPrometheus(ChildServer):
    """A Prometheus under ``data_dir``, receiving OTLP and remote write on 127.0.0.1:``port``."""

    program = "prometheus"

    def __init__(
        self,
        data_dir: Path,
        binaries: Path,
        *,
        port: int = 0,
        scrape: Sequence[str] = (),
        scrape_interval: str = "5s",
        rule_files: Sequence[Path] = (),
    ) -> None:
        super().__init__(data_dir, port or free_port())
        self.binaries = binaries
        self.config = config_for(
            scrape=scrape, scrape_interval=scrape_interval, rule_files=rule_files
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def otlp_url(self) -> str:
        """Where collectors send OTLP/HTTP (the otlphttp exporter adds ``/v1/metrics``)."""
        return f"{self.url}/api/v1/otlp"

    def start(self, *, deadline_s: float = 60.0) -> None:
        self._prepare()
        config = self.data_dir / "prometheus.yml"
        config.write_text(
            "# Written by Phoenix at each start.\n" + yaml.safe_dump(self.config, sort_keys=False)
        )
        self._spawn(
            [
                str(self.binaries / "prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={self.data_dir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--web.enable-otlp-receiver",
                "--web.enable-remote-write-receiver",
                "--web.enable-lifecycle",
                # Static targets are read at once, not after the default 5 s.
                "--scrape.discovery-reload-interval=100ms",
            ],
            deadline_s=deadline_s,
            ready=lambda: self._wait_ready(deadline_s),
        )

    def _wait_ready(self, deadline_s: float) -> None:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"prometheus exited; see {self.log_file}")
            time.sleep(0.05)
        raise TimeoutError(f"prometheus on {self.url} was not ready within {deadline_s}s")
