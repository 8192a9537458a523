"""Child processes: they die with Phoenix where the OS allows, and stop politely, then firmly."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import psutil

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has Linux send the child SIGTERM when this process dies (even by
    SIGKILL), so a crash leaves no server behind; None where that is not possible.

    The signal fires when the *thread* that started the child ends, so it is only set for
    children started from the main thread, which lives as long as the process.
    """
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def arm() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


def stop(process: subprocess.Popen[bytes], *, grace_s: float = 15.0) -> None:
    """SIGTERM, wait up to ``grace_s`` for a clean exit, then SIGKILL."""
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def stop_leftover(pid_file: Path, name: str, *, grace_s: float = 15.0) -> int | None:
    """Stop a process an earlier Phoenix left running (its pid file says which), if it is still
    there and is the program ``name``; returns its pid if one was stopped.
    """
    try:
        pid = int(pid_file.read_text().split()[0])
        process = psutil.Process(pid)
        if name not in process.name() or process.status() == psutil.STATUS_ZOMBIE:
            return None
    except (OSError, ValueError, IndexError, psutil.Error):
        return None
    with contextlib.suppress(psutil.Error):
        process.terminate()
        try:
            process.wait(grace_s)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(5)
    return pid
