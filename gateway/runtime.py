"""The composition root: builds the adapters from settings and runs the workers and the API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.embedded.servers import Servers
from adapters.metrics import Metrics
from adapters.nats.bus import NatsBus
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.engine import create_engine
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.migrate import upgrade
from adapters.postgres.read_model import PostgresReadModel
from adapters.projection_runner import ProjectionRunner
from adapters.relay import Relay, bus_publisher
from adapters.settings import Settings, SettingsError, redacted
from adapters.supervisor import Loop, Supervisor
from adapters.wakeup import Broadcast
from gateway.api.app import create_app
from gateway.api.dependencies import ApiDeps, Backends
from gateway.bootstrap import Phoenix, bootstrap, own_durables
from gateway.kube_operator import KubeOperator
from gateway.local_tokens import write_admin_token
from gateway.real_adapters import RealAdapters
from gateway.runtime_file import RUNTIME_FILE
from projections.registry import all_projectors

log = logging.getLogger(__name__)


class _EmbeddedUvicorn(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # Phoenix owns SIGINT and SIGTERM, not uvicorn


@dataclass
class Runtime:
    """Everything ``phoenix up`` runs; ``stop()`` takes it all down in order."""

    settings: Settings
    servers: Servers
    engine: AsyncEngine
    bus: NatsBus
    store: PostgresEventStore
    metrics: Metrics
    projections: ProjectionRunner
    api_url: str | None = None
    admin_token_file: Path | None = None
    adapters: RealAdapters | None = None
    phoenix: Phoenix | None = None
    kube: KubeOperator | None = None
    supervisor: Supervisor = field(default_factory=Supervisor)
    log_grew: Broadcast = field(default_factory=Broadcast)  # wakes the API's event streams
    _api: _EmbeddedUvicorn | None = None

    @classmethod
    async def start(cls, settings: Settings, *, api: bool = True) -> Runtime:
        # In this (the main) thread: the servers it starts die with this process, even killed.
        servers = Servers.start(settings, protected_durables=own_durables())
        engine = create_engine(servers.database_url)
        try:
            await upgrade(engine)
            bus = NatsBus(servers.nats_url, security=servers.nats_security)
            await bus.start()
        except BaseException:
            await engine.dispose()
            await asyncio.to_thread(servers.stop)
            raise
        projections = ProjectionRunner(engine, all_projectors(), poll_interval=5.0)
        store = PostgresEventStore(engine)
        runtime = cls(settings, servers, engine, bus, store, Metrics(), projections)
        try:
            await runtime._start_workers()
            if api:
                await runtime._start_api()
            runtime.admin_token_file = write_admin_token(settings.data_dir, runtime.real.key)
            runtime._write_runtime_file()
        except BaseException:
            await runtime.stop()
            raise
        return runtime

    @property
    def real(self) -> RealAdapters:
        """The adapters Phoenix runs on (once started)."""
        assert self.adapters is not None, "the runtime has not started"
        return self.adapters

    async def _start_workers(self) -> None:
        self.adapters = await RealAdapters.start(self.settings, self.bus, self.store)
        self.phoenix = bootstrap(
            self.adapters.ports, wiring=self.adapters.wiring, metrics=self.metrics
        )
        await self.phoenix.start()
        loops: dict[str, Loop] = {
            **self.phoenix.loops(),
            # Writes each closed interval's measurements.
            "interval-recorder": self.adapters.recorder.run,
            "relay": Relay(
                self.engine,
                bus_publisher(self.bus),
                poll_interval=self.settings.poll_interval,
                dead_letters=self.adapters.ports.dead_letters,
            ).run,
            "servers": self._keep_servers,
            "projections": self.projections.run,
        }
        if self.settings.kubeconfig:
            self.kube = await KubeOperator.connect(
                self.settings,
                self.bus,
                self.adapters.ports.service,
                PostgresReadModel(self.engine),
            )
            loops["operator"] = self.kube.loop()
        for name, loop in loops.items():
            self.supervisor.run(name, loop)
        # The bus wakes the projections and the API's event streams as soon as the relay
        # publishes; polling is the fallback.
        wake = self.projections.wakeup

        async def on_event() -> None:
            wake.set()
            self.log_grew.set()

        await self.bus.subscribe_core("phoenix.evt.>", on_event)

    async def _keep_servers(self, stop: asyncio.Event) -> None:
        """Restart an embedded server that died, and declare again what vanished from the bus
        (each says what it restored).
        """
        while not stop.is_set():
            self.servers.restart_dead()  # logs what it restarts
            if self.bus.nc.is_connected:
                await self.bus.heal()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.supervise_interval)

    async def _start_api(self) -> None:
        settings = self.settings
        deps = ApiDeps(
            read=PostgresReadModel(self.engine),
            store=self.store,
            bus=self.bus,
            metrics=self.metrics,
            authenticator=self.real.ports.authenticator,
            dead_letters=PostgresDeadLetters(self.engine),
            backends=Backends(self.engine, self.bus),
            service=self.real.ports.service,
            metrics_public=settings.metrics_public,
            command_rate_limit=settings.command_rate_limit,
            observed=self.real.sink.observed,
            source=self.real.measuring.source,
            log_grew=self.log_grew,
        )
        if (settings.api_tls_cert is None) != (settings.api_tls_key is None):
            raise SettingsError("set both PHOENIX_API_TLS_CERT and PHOENIX_API_TLS_KEY, or neither")
        config = uvicorn.Config(
            create_app(deps),
            host=settings.api_host,
            port=settings.api_port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=5,
            ssl_certfile=settings.api_tls_cert,
            ssl_keyfile=settings.api_tls_key,
        )
        self._api = _EmbeddedUvicorn(config)
        task = asyncio.create_task(self._serve(self._api), name="api")
        self.supervisor.adopt("api", task)
        while not self._api.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        port = self._api.servers[0].sockets[0].getsockname()[1]
        scheme = "https" if settings.api_tls_cert else "http"
        self.api_url = f"{scheme}://{settings.api_host}:{port}"
        if self.phoenix is not None:
            self.phoenix.promotion.api_url = self.api_url

    @staticmethod
    async def _serve(server: uvicorn.Server) -> None:
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn exits the process on a startup failure
            raise RuntimeError(f"the API could not start (uvicorn exit {exc.code})") from None

    @property
    def runtime_file(self) -> Path:
        return self.settings.data_dir / RUNTIME_FILE

    def _write_runtime_file(self) -> None:
        """Tell other phoenix commands on this machine where the running servers are."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = self.servers.database_url
        info = {  # no secret: a CLI finds the API here, and its token elsewhere
            "pid": os.getpid(),
            # Not if it holds a password: operator commands then take PHOENIX_DATABASE_URL.
            "database_url": None if make_url(url).password else url,
            "nats_url": redacted(self.servers.nats_url),
            "api_url": self.api_url,
            "otlp_url": self.adapters.sink.endpoint if self.adapters else None,
        }
        self.runtime_file.write_text(json.dumps(info, indent=2) + "\n")

    async def wait(self) -> None:
        await self.supervisor.stop_event.wait()

    def request_stop(self) -> None:
        self.supervisor.stop_event.set()

    async def stop(self) -> None:
        if self._api is not None:
            self._api.should_exit = True
        await self.supervisor.stop()
        if self.phoenix is not None:
            await self.phoenix.stop()
        if self.adapters is not None:
            await self.adapters.stop()
        if self.kube is not None:
            await self.kube.close()
        await self.bus.stop()
        # The last appends' wake-up before the pool goes; not for long if the database is gone.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.store.notices.settled(), 5)
        await self.engine.dispose()
        with contextlib.suppress(FileNotFoundError):
            self.runtime_file.unlink()
        await asyncio.to_thread(self.servers.stop)
