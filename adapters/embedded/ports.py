"""Free loopback ports, and waiting for a TCP port to answer."""

from __future__ import annotations

import socket
import time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, deadline_s: float, alive: object = None) -> None:
    """Block until 127.0.0.1:port accepts a connection, or raise after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if callable(alive) and not alive():
            raise RuntimeError(f"the server meant for port {port} exited")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port} within {deadline_s}s")
