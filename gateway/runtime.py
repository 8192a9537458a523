"""The composition root: builds the adapters from settings and runs the workers and the API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.command_worker import CommandWorker
from adapters.embedded.servers import Servers
from adapters.metrics import Metrics
from adapters.nats.bus import NatsBus
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.engine import create_engine
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.migrate import upgrade
from adapters.projection_runner import ProjectionRunner
from adapters.relay import Relay, bus_publisher
from adapters.settings import Settings
from gateway.api.app import create_app
from gateway.api.dependencies import ApiDeps
from gateway.experiment_services import ExperimentServices
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from projections.registry import all_projectors

log = logging.getLogger(__name__)

RUNTIME_FILE = "runtime.json"


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
    experiments: ExperimentServices | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _api: _EmbeddedUvicorn | None = None

    @classmethod
    async def start(cls, settings: Settings, *, api: bool = True) -> Runtime:
        # In this (the main) thread: the servers it starts die with this process, even killed.
        servers = Servers.start(settings)
        engine = create_engine(servers.database_url)
        try:
            await upgrade(engine)
            bus = NatsBus(servers.nats_url)
            await bus.start()
        except BaseException:
            await engine.dispose()
            await asyncio.to_thread(servers.stop)
            raise
        store = PostgresEventStore(engine)
        metrics = Metrics()
        runtime = cls(
            settings=settings,
            servers=servers,
            engine=engine,
            bus=bus,
            store=store,
            metrics=metrics,
            projections=ProjectionRunner(engine, all_projectors(), poll_interval=5.0),
        )
        try:
            await runtime._start_workers()
            if api:
                await runtime._start_api()
            runtime._write_runtime_file()
        except BaseException:
            await runtime.stop()
            raise
        return runtime

    async def _start_workers(self) -> None:
        dead_letters = PostgresDeadLetters(self.engine)
        handler = CommandHandler(self.store, SystemClock())
        await CommandWorker(self.bus, handler, dead_letters, self.metrics).start()
        self.experiments = await ExperimentServices.start(
            self.settings, self.bus, self.store, dead_letters
        )
        for name, loop in self.experiments.loops().items():
            self._tasks.append(asyncio.create_task(self._supervise(name, loop), name=name))
        relay = Relay(
            self.engine,
            bus_publisher(self.bus),
            poll_interval=self.settings.poll_interval,
            dead_letters=dead_letters,
        )
        self._tasks.append(asyncio.create_task(self._supervise("relay", relay.run), name="relay"))
        # The bus wakes the projections as soon as the relay publishes; polling is the fallback.
        wake = self.projections.wakeup

        async def on_event() -> None:
            wake.set()

        await self.bus.subscribe_core("phoenix.evt.>", on_event)
        self._tasks.append(
            asyncio.create_task(self._supervise("servers", self._keep_servers), name="servers")
        )
        self._tasks.append(
            asyncio.create_task(
                self._supervise("projections", self.projections.run), name="projections"
            )
        )

    async def _supervise(self, name: str, run: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        """Run a long-lived loop until stop; if it dies (say, the database restarted), restart it."""
        delay = 0.5
        while not self._stop.is_set():
            try:
                await run(self._stop)
                return
            except Exception:
                log.exception("%s stopped with an error; restarting in %.1fs", name, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
                delay = min(delay * 2, 30.0)

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
        deps = ApiDeps(engine=self.engine, store=self.store, bus=self.bus, metrics=self.metrics)
        config = uvicorn.Config(
            create_app(deps),
            host=self.settings.api_host,
            port=self.settings.api_port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        self._api = _EmbeddedUvicorn(config)
        task = asyncio.create_task(self._serve(self._api), name="api")
        self._tasks.append(task)
        while not self._api.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        port = self._api.servers[0].sockets[0].getsockname()[1]
        self.api_url = f"http://{self.settings.api_host}:{port}"
        if self.experiments is not None and self.experiments.promotion is not None:
            self.experiments.promotion.api_url = self.api_url

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
        info = {
            "pid": os.getpid(),
            "database_url": self.servers.database_url,
            "nats_url": self.servers.nats_url,
            "api_url": self.api_url,
            "otlp_url": self.experiments.sink.endpoint if self.experiments else None,
        }
        self.runtime_file.write_text(json.dumps(info, indent=2) + "\n")

    async def wait(self) -> None:
        await self._stop.wait()

    def request_stop(self) -> None:
        self._stop.set()

    async def stop(self) -> None:
        self._stop.set()
        if self._api is not None:
            self._api.should_exit = True
        for task in self._tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 10)
        if self.experiments is not None:
            await self.experiments.stop()
        await self.bus.stop()
        await self.engine.dispose()
        with contextlib.suppress(FileNotFoundError):
            self.runtime_file.unlink()
        await asyncio.to_thread(self.servers.stop)
