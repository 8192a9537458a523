"""Stopping a child process: ask politely, wait, then insist."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen[bytes], *, grace_s: float = 15.0) -> None:
    """SIGTERM, wait up to ``grace_s`` for a clean exit, then SIGKILL."""
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
