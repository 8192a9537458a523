"""`phoenix up` on the embedded default: it says where the admin token is, and listens only on
loopback (the API, the OTLP sink, NATS and PostgreSQL alike).
"""

from __future__ import annotations

import ipaddress
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.processes import PhoenixProcess, servers_on


@pytest.fixture
def phoenix_up(tmp_path: Path) -> Iterator[PhoenixProcess]:
    phoenix = PhoenixProcess(tmp_path / "data", {"COLUMNS": "400"})  # a line per setting
    phoenix.start()
    try:
        phoenix.wait_ready()
        yield phoenix
    finally:
        phoenix.stop()


def listening(phoenix: PhoenixProcess) -> list[tuple[str, int]]:
    """Every address `phoenix up`, its children and its PostgreSQL (which pg_ctl detaches)
    listen on (TCP).
    """
    assert phoenix.process is not None
    tree = psutil.Process(phoenix.process.pid)
    pids = {tree.pid} | {child.pid for child in tree.children(recursive=True)}
    for postmaster in servers_on(phoenix.data_dir)["postgres"]:
        pids |= {postmaster} | {c.pid for c in psutil.Process(postmaster).children()}
    return sorted(
        (c.laddr.ip, c.laddr.port)
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.pid in pids
    )


def test_phoenix_up_says_where_the_admin_token_is_and_keeps_it_to_its_owner(
    phoenix_up: PhoenixProcess,
) -> None:
    printed = (phoenix_up.data_dir.parent / "data-up.log").read_text()
    found = re.search(r"Token\s+(\S+)\s+\(admin", printed)
    assert found is not None, printed
    token = Path(found.group(1))
    assert token == phoenix_up.data_dir / "auth" / "admin.token"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert token.read_text().count(".") == 2  # a JWT: header, claims, signature


def test_every_port_phoenix_up_opens_listens_on_loopback_only(
    phoenix_up: PhoenixProcess,
) -> None:
    addresses = listening(phoenix_up)
    ports = {port for _, port in addresses}
    assert {phoenix_up.api_port, phoenix_up.otlp_port} <= ports
    assert len(ports) >= 3, addresses  # and NATS (PostgreSQL may listen on a socket file only)
    assert [a for a in addresses if not ipaddress.ip_address(a[0]).is_loopback] == []
