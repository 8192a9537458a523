"""Phoenix serves its dashboard: the page and its assets without a token, the API still behind one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from adapters.memory.bus import InMemoryBus
from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.read_model import InMemoryReadModel
from adapters.metrics import Metrics
from gateway.api.app import create_app
from gateway.api.dependencies import ApiDeps
from tests.identities import VERIFIER


def client() -> httpx.AsyncClient:
    store = InMemoryEventStore()
    deps = ApiDeps(
        InMemoryReadModel(store), store, InMemoryBus(), Metrics(), VERIFIER, InMemoryDeadLetters()
    )
    transport = httpx.ASGITransport(app=cast(Any, create_app(deps)))
    return httpx.AsyncClient(transport=transport, base_url="http://phoenix")


@pytest.fixture
async def built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script src="/assets/app-1.js"></script>')
    (tmp_path / "assets" / "app-1.js").write_text("console.log('phoenix')")
    monkeypatch.setenv("PHOENIX_WEB_DIST", str(tmp_path))
    async with client() as api:
        yield api


async def test_the_page_and_its_assets_need_no_token_and_the_page_forbids_foreign_scripts(
    built: httpx.AsyncClient,
) -> None:
    page = await built.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/assets/app-1.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = await built.get("/assets/app-1.js")
    assert script.status_code == 200
    assert script.text == "console.log('phoenix')"


async def test_the_api_behind_the_page_still_needs_a_token(built: httpx.AsyncClient) -> None:
    assert (await built.get("/api/v1/experiments")).status_code == 401
    assert (await built.get("/assets/../index.html")).status_code in (400, 404)


async def test_an_asset_that_is_not_there_is_a_404(built: httpx.AsyncClient) -> None:
    assert (await built.get("/assets/nothing.js")).status_code == 404


async def test_without_a_built_bundle_the_page_says_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOENIX_WEB_DIST", str(tmp_path / "absent"))
    async with client() as api:
        page = await api.get("/")
    assert page.status_code == 503
    assert "npm ci &amp;&amp; npm run build" in page.text or "npm ci && npm run build" in page.text
