"""A server Phoenix runs as a child process under its data dir, known there by a pid file."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from adapters.child_process import die_with_parent, stop, stop_leftover
from adapters.embedded.ports import wait_for_port


class ChildServer:
    """``program``'s pid file and log under ``data_dir``; its listener on 127.0.0.1:``port``.

    One that an earlier Phoenix left running on the same directory (killed before it could stop
    it) is stopped before another starts; one that fails to start is stopped, never left
    half-started holding the directory.
    """

    program: ClassVar[str]

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid_file(self) -> Path:
        return self.data_dir / f"{self.program}.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / f"{self.program}.log"

    def _prepare(self) -> None:
        """The data dir made, and a server left on it by an earlier Phoenix stopped."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        left = stop_leftover(self.pid_file, self.program)
        if left is not None:
            logging.getLogger(__name__).warning(
                "stopped %s %d left on this store", self.program, left
            )

    def _spawn(
        self, argv: list[str], *, deadline_s: float, ready: Callable[[], None] | None = None
    ) -> None:
        """Start ``argv``, logging to the log file, and wait until its port answers (and
        ``ready`` returns, if given).
        """
        log = self.log_file.open("ab")
        self._process = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # Ctrl-C in a terminal reaches Phoenix, which stops it
            preexec_fn=die_with_parent(),
        )
        log.close()
        self.pid_file.write_text(f"{self._process.pid}\n")
        process = self._process
        try:
            wait_for_port(self.port, deadline_s=deadline_s, alive=lambda: process.poll() is None)
            if ready is not None:
                ready()
        except BaseException:
            self.stop()
            raise

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._process is None:
            return
        stop(self._process)
        self._process = None
        self.pid_file.unlink(missing_ok=True)
