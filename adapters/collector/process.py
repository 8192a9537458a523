"""A real collector as a child process on loopback: start, wait until healthy, stop."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import psutil

from adapters.child_process import die_with_parent, stop


class CollectorProcess:
    def __init__(
        self,
        binary: Path,
        config: Path,
        health_url: str,
        log: Path,
        *,
        env: dict[str, str] | None = None,
    ) -> None:
        self.binary, self.config, self.health_url, self.log = binary, config, health_url, log
        self.env = env
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, *, deadline_s: float = 30.0) -> None:
        self.spawn()
        self.wait_healthy(deadline_s=deadline_s)

    def spawn(self) -> None:
        """Start the process (from the main thread, it dies with Phoenix: no orphans)."""
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [str(self.binary), "--config", str(self.config)],
                stdout=log,
                stderr=log,
                env={**os.environ, **self.env} if self.env else None,
                preexec_fn=die_with_parent(),
            )

    def wait_healthy(self, *, deadline_s: float = 30.0) -> None:
        """Block until the health check answers 200; stop it and raise if it does not in time."""
        assert self._process is not None, "spawn() first"
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the collector exited ({self._process.returncode}); see {self.log}"
                )
            try:
                if httpx.get(self.health_url, timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"the collector was not healthy within {deadline_s}s; see {self.log}")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def exit_code(self) -> int | None:
        """The exit code once the process has exited (it is reaped here), else None."""
        return self._process.poll() if self._process else None

    def alive(self) -> bool:
        """Running, not exited nor exiting: a Go collector killed is a zombie (its threads
        still going down, not yet reapable) before it is gone, and measures as zero then.
        """
        if self._process is None or self._process.poll() is not None:
            return False
        try:
            status = psutil.Process(self._process.pid).status()
        except psutil.NoSuchProcess:
            return False
        return status not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)

    def stop(self) -> None:
        if self._process is None:
            return
        stop(self._process)
        self._process = None
