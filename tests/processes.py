"""`phoenix up` (and `phoenix loadsim`) as real processes the fault tests can kill."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from adapters.embedded.ports import free_port


def cli_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
    # Never a token saved in this machine's home: only the data dir's, or one a test gives.
    isolated = {"PHOENIX_TOKEN_FILE": str(data_dir.parent / "no-saved-token")}
    return (
        env
        | isolated
        | {"PHOENIX_DATA_DIR": str(data_dir), "PHOENIX_LOG_LEVEL": "WARNING", **settings}
    )


@dataclass
class PhoenixProcess:
    """One `phoenix up` on a data dir; started again and again, killed or stopped."""

    data_dir: Path
    settings: dict[str, str] = field(default_factory=dict)
    api_port: int = field(default_factory=free_port)
    otlp_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def otlp_url(self) -> str:
        return f"http://127.0.0.1:{self.otlp_port}"

    def start(self) -> None:
        log = (self.data_dir.parent / f"{self.data_dir.name}-up.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from gateway.cli import main; main()", "up"],
            env=cli_env(
                self.data_dir,
                PHOENIX_API_PORT=str(self.api_port),
                PHOENIX_OTLP_PORT=str(self.otlp_port),
                **self.settings,
            ),
            stdout=log,
            stderr=log,
        )
        log.close()

    def wait_ready(self, *, deadline: float = 120.0) -> float:
        """Seconds from now until /readyz answers 200; fails if the process exits first."""
        began = time.monotonic()
        while time.monotonic() - began < deadline:
            assert self.process is not None and self.process.poll() is None, "phoenix up exited"
            try:
                if httpx.get(f"{self.api_url}/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"phoenix up was not ready within {deadline}s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)

    def runtime_info(self) -> dict[str, str]:
        return dict(json.loads((self.data_dir / "runtime.json").read_text()))


def servers_on(data_dir: Path) -> dict[str, list[int]]:
    """The nats-server and postgres postmaster processes running on this data dir."""
    found: dict[str, list[int]] = {"nats-server": [], "postgres": []}
    for process in psutil.process_iter(["name", "cmdline", "ppid"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(data_dir.resolve()) not in cmdline:
            continue
        name = process.info["name"] or ""
        if "nats-server" in name:
            found["nats-server"].append(process.pid)
        elif "postgres" in name and " -D " in f" {cmdline} ":
            found["postgres"].append(process.pid)
    return found


def start_load(data_dir: Path, endpoint: str, *args: str) -> subprocess.Popen[bytes]:
    """`phoenix loadsim start` sending to ``endpoint`` (seeded), until it gets SIGTERM."""
    return subprocess.Popen(
        [sys.executable, "-c", "from gateway.cli import main; main()", "loadsim", "start",
         "--seed", "5", "--endpoint", endpoint, *args],
        env=cli_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_until_sending(load: subprocess.Popen[bytes]) -> None:
    """Block until the load says it is sending (its first scrape goes out right after)."""
    assert load.stdout is not None
    line = load.stdout.readline()
    assert b"sending" in line, f"loadsim did not start: {line!r}"


async def run_cli(
    env: dict[str, str], *args: str, merge_stderr: bool = False, within: float = 60
) -> tuple[int, str, str]:
    """Run ``phoenix *args`` in a process of its own: (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from gateway.cli import main; main()", *args,
        env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), within)
    assert process.returncode is not None
    return process.returncode, out.decode(), (err or b"").decode()
