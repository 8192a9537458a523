"""Start the servers Phoenix needs: embedded ones where no URL is configured."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from faststream.nats import NatsSecurity

from adapters.embedded.nats_server import EmbeddedNats
from adapters.embedded.postgres_server import EmbeddedPostgres
from adapters.nats.security import external_security
from adapters.settings import Settings, async_database_url

log = logging.getLogger(__name__)


@dataclass
class Servers:
    database_url: str
    nats_url: str
    nats_security: NatsSecurity | None = None  # how Phoenix itself connects
    _started: list[EmbeddedNats | EmbeddedPostgres] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        nats_port: int | None = None,
        protected_durables: tuple[str, ...] = (),
    ) -> Servers:
        """``protected_durables``: Phoenix's consumers, that no other user of the embedded NATS
        may read from or change.
        """
        started: list[EmbeddedNats | EmbeddedPostgres] = []
        try:
            if settings.database_url:
                database_url = async_database_url(settings.database_url)
            else:
                pg = EmbeddedPostgres(settings.data_dir.resolve() / "postgres")
                started.append(pg)  # before start(), so a failure part-way still stops it
                pg.start()
                database_url = pg.url
            if settings.nats_url:
                nats_url, security = settings.nats_url, external_security(settings)
            else:
                nats = EmbeddedNats(
                    settings.data_dir.resolve() / "nats",
                    nats_port,
                    protected_durables=protected_durables,
                )
                started.append(nats)
                nats.start()
                nats_url, security = nats.url, nats.security()
        except BaseException:
            for server in reversed(started):
                server.stop()
            raise
        return cls(database_url, nats_url, security, started)

    @property
    def nats(self) -> EmbeddedNats | None:
        """The embedded nats-server, if Phoenix started one."""
        return next((s for s in self._started if isinstance(s, EmbeddedNats)), None)

    @property
    def embedded(self) -> list[str]:
        return [type(s).__name__ for s in self._started]

    def restart_dead(self) -> list[str]:
        """Start again, in place (same data dir, same port or socket), each embedded server that
        died; returns the names of those restarted. Raises if one cannot be started yet.
        """
        restarted = []
        for server in self._started:
            if not server.running:
                log.warning(
                    "the embedded %s is not running; starting it again", type(server).__name__
                )
                server.start()
                restarted.append(type(server).__name__)
        return restarted

    def stop(self) -> None:
        while self._started:
            self._started.pop().stop()
