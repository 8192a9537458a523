"""A whole Phoenix runtime (worker, relay, projections, API) on the test servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.embedded.servers import Servers
from adapters.nats.bus import NatsBus
from gateway.runtime import Runtime
from tests.browser import browser as browser  # the fixture, for the dashboard's tests
from tests.conftest import nats_url_of
from tests.runtimes import admin_headers, settings_for


@pytest.fixture
async def runtime(
    servers: Servers, database_url: str, bus: NatsBus, tmp_path: Path
) -> AsyncIterator[Runtime]:
    settings = settings_for(tmp_path, database_url=database_url, nats_url=nats_url_of(servers))
    runtime = await Runtime.start(settings)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def api(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    assert runtime.api_url is not None
    # As the admin who ran `phoenix up`: its token from the data dir.
    headers = admin_headers(runtime.settings.data_dir)
    async with httpx.AsyncClient(base_url=runtime.api_url, timeout=10, headers=headers) as client:
        yield client
