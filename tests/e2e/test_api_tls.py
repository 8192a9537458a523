"""The API over TLS when a certificate is configured."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from adapters.embedded.servers import Servers
from adapters.settings import SettingsError
from gateway.runtime import Runtime
from tests.certificates import self_signed
from tests.conftest import nats_url_of
from tests.runtimes import admin_headers, settings_for


async def test_with_a_certificate_the_api_speaks_https_only(
    servers: Servers, database_url: str, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    settings = settings_for(
        tmp_path,
        database_url=database_url,
        nats_url=nats_url_of(servers),
        api_tls_cert=cert,
        api_tls_key=key,
    )
    runtime = await Runtime.start(settings)
    try:
        assert runtime.api_url is not None and runtime.api_url.startswith("https://")
        trusted = ssl.create_default_context(cafile=str(cert))
        headers = admin_headers(settings.data_dir)
        async with httpx.AsyncClient(verify=trusted, headers=headers, timeout=10) as client:
            answer = await client.get(f"{runtime.api_url}/api/v1/whoami")
            assert answer.status_code == 200
            with pytest.raises(httpx.TransportError):
                await client.get(runtime.api_url.replace("https://", "http://") + "/healthz")
    finally:
        await runtime.stop()


async def test_a_certificate_without_its_key_is_a_clear_error(
    servers: Servers, database_url: str, tmp_path: Path
) -> None:
    cert, _ = self_signed(tmp_path)
    settings = settings_for(
        tmp_path, database_url=database_url, nats_url=nats_url_of(servers), api_tls_cert=cert
    )
    with pytest.raises(SettingsError, match="PHOENIX_API_TLS_KEY"):
        await Runtime.start(settings)
