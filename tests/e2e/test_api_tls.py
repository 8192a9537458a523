"""The API over TLS when a certificate is configured."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.embedded.servers import Servers
from adapters.settings import SettingsError
from gateway.runtime import Runtime
from tests.conftest import nats_url_of
from tests.runtimes import admin_headers, settings_for


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (a test's own CA, in effect)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "phoenix-test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert, key_file = directory / "api.crt", directory / "api.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key_file


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
