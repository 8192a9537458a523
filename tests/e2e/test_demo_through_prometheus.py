"""`phoenix demo --metrics-source prometheus`: the same demo, measured through a Prometheus that
Phoenix starts, judges the trap candidate rejected and promotes a winner.
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from adapters.embedded.ports import free_port
from adapters.embedded.servers import Servers
from gateway.demo import DemoOptions, run_demo
from tests.conftest import nats_url_of
from tests.runtimes import settings_for


async def test_the_demo_measured_through_prometheus_rejects_the_trap_and_promotes_a_winner(
    servers: Servers, database_url: str, prometheus_binaries: Path, tmp_path: Path
) -> None:
    settings = settings_for(
        tmp_path,
        database_url=database_url,
        nats_url=nats_url_of(servers),
        metrics_source="prometheus",
        prometheus_port=free_port(),
        api_port=free_port(),
    )
    out = io.StringIO()
    options = DemoOptions(hosts=20, duration=16, interval="2s", templates=("process-topk-v1",))
    code = await run_demo(settings, options, Console(file=out, width=200))
    said = out.getvalue()
    assert code == 0, said
    assert "measured through Prometheus http://127.0.0.1:" in said
    assert "no-postgres reject: critical retention" in said
    assert "promoted topk" in said
