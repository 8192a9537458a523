"""An external NATS over TLS: Phoenix's bus connects with the CA it is given, and not without it."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.errors import Error as NatsError

from adapters.child_process import stop
from adapters.embedded.nats_server import nats_server_binary
from adapters.embedded.ports import free_port, wait_for_port
from adapters.nats.bus import NatsBus
from adapters.nats.security import external_security
from adapters.nats.streams import COMMANDS
from adapters.settings import Settings
from tests.certificates import self_signed


@pytest.fixture
def tls_nats(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real nats-server with JetStream that speaks TLS only and wants a user: (URL, its CA)."""
    cert, key = self_signed(tmp_path)
    port = free_port()
    config = tmp_path / "nats.conf"
    config.write_text(
        f"listen: 127.0.0.1:{port}\n"
        f'jetstream {{ store_dir: "{tmp_path / "js"}" }}\n'
        f'tls {{ cert_file: "{cert}", key_file: "{key}" }}\n'
        'authorization { users = [ {user: phoenix, password: "tls-test"} ] }\n'
    )
    server = subprocess.Popen(
        [str(nats_server_binary()), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, deadline_s=20, alive=lambda: server.poll() is None)
        yield f"tls://phoenix:tls-test@127.0.0.1:{port}", cert
    finally:
        stop(server)


async def test_phoenix_reaches_a_tls_nats_with_the_ca_it_is_given(
    tls_nats: tuple[str, Path],
) -> None:
    url, ca = tls_nats
    bus = NatsBus(url, security=external_security(Settings(nats_url=url, nats_ca=ca)))
    await bus.start()
    try:
        assert (await bus.js.stream_info(COMMANDS)).config.name == COMMANDS
    finally:
        await bus.stop()


async def test_without_the_ca_the_server_s_certificate_is_not_trusted(
    tls_nats: tuple[str, Path],
) -> None:
    url, _ = tls_nats
    security = external_security(Settings(nats_url=url))  # the system's CAs only
    assert security is not None and security.ssl_context is not None
    # Connected once, without retrying (the bus would keep trying, as it does for a NATS down).
    with pytest.raises((ssl.SSLError, NatsError, OSError)):
        await nats.connect(url, tls=security.ssl_context, allow_reconnect=False, connect_timeout=3)
