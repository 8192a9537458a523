"""The experiment handlers and their adapters, built for one deployer and metrics source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapters.collector.binary import find_otelcol
from adapters.collector.deployer import ProcessDeployer
from adapters.embedded.ports import free_port
from adapters.gitops import GitRepository
from adapters.local_deployer import LocalDeployer
from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.nats.bus import NatsBus
from adapters.nats.consumer import DeadLetterSink
from adapters.otlp_sink import OtlpSink
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.experiment_index import PostgresExperimentIndex
from adapters.reactor_runner import ReactorRunner
from adapters.settings import Settings
from handlers.analysis import Analysis
from handlers.clock import SystemClock
from handlers.config_generation import ConfigGeneration
from handlers.deployment import DeploymentHandler
from handlers.guardrail import Guardrail
from handlers.lifecycle import Lifecycle, WindowScheduler
from handlers.promotion import Promotion
from handlers.reactor import Reactor

DEPLOYERS = ("local", "process")


class DeployerUnavailable(RuntimeError):
    """The chosen deployer cannot run on this machine; the message says what is missing."""


def make_deployer(settings: Settings, sink: OtlpSink) -> LocalDeployer | ProcessDeployer:
    if settings.deployer == "local":
        return LocalDeployer(sink)
    if settings.deployer == "process":
        binary = find_otelcol()
        if binary is None:
            raise DeployerUnavailable(
                "the process deployer needs an otelcol-contrib build: run scripts/build-otelcol "
                "(it needs Go) or set PHOENIX_OTELCOL to a collector binary"
            )
        return ProcessDeployer(binary, settings.data_dir / "collectors", on_teardown=sink.forget)
    raise DeployerUnavailable(
        f"unknown deployer {settings.deployer!r}; known: {', '.join(DEPLOYERS)} "
        "(kubernetes comes in a later release)"
    )


def _process_variables(_variant: str) -> dict[str, Any]:
    return {"health_check_endpoint": f"127.0.0.1:{free_port()}"}


@dataclass
class ExperimentServices:
    """Everything that moves experiments along, on one bus and one store."""

    settings: Settings
    sink: OtlpSink
    deployer: LocalDeployer | ProcessDeployer
    runners: dict[str, ReactorRunner] = field(default_factory=dict)
    scheduler: WindowScheduler | None = None
    guardrail: Guardrail | None = None
    promotion: Promotion | None = None
    recorder: IntervalRecorder | None = None

    @classmethod
    async def start(
        cls,
        settings: Settings,
        bus: NatsBus,
        store: PostgresEventStore,
        dead_letters: DeadLetterSink,
    ) -> ExperimentServices:
        recorder = IntervalRecorder(store.engine)
        # A stable port: collectors and load keep sending to it across a restart of Phoenix.
        sink = OtlpSink(port=settings.otlp_port, recorder=recorder)
        await sink.start()
        try:
            deployer = make_deployer(settings, sink)
        except DeployerUnavailable:
            await sink.stop()
            raise
        services = cls(settings, sink, deployer)
        try:
            await services._start_handlers(bus, store, dead_letters)
        except BaseException:
            await services.stop()
            raise
        return services

    async def _start_handlers(
        self, bus: NatsBus, store: PostgresEventStore, dead_letters: DeadLetterSink
    ) -> None:
        engine = store.engine
        index = PostgresExperimentIndex(engine)
        assert self.sink.recorder is not None
        self.recorder = self.sink.recorder
        source = LocalMetricsSource(self.recorder)
        clock = SystemClock()
        defaults: dict[str, Any] = {"otlp_endpoint": self.sink.endpoint}
        per_variant = _process_variables if self.settings.deployer == "process" else None
        deployment = DeploymentHandler(store, self.deployer)
        await deployment.recover(index)
        self.promotion = Promotion(
            store, GitRepository(self.settings.gitops_path, remote=self.settings.gitops_remote)
        )
        reactors: list[Reactor] = [
            ConfigGeneration(store, defaults=defaults, per_variant=per_variant),
            Lifecycle(),
            deployment,
            Analysis(store, source, self.deployer),
            self.promotion,
        ]
        for reactor in reactors:
            runner = ReactorRunner(bus, engine, reactor, dead_letters)
            await runner.start()
            self.runners[reactor.name] = runner
        self.scheduler = WindowScheduler(index, bus, clock)
        self.guardrail = Guardrail(index, store, source, bus, clock)

    def loops(self) -> dict[str, Any]:
        """The long-lived loops the runtime supervises: the window scheduler, the guardrail, and
        the recorder that writes each closed interval's measurements.
        """
        assert self.scheduler and self.guardrail and self.recorder
        return {
            "window-scheduler": self.scheduler.run,
            "guardrail": self.guardrail.run,
            "interval-recorder": self.recorder.run,
        }

    async def stop(self) -> None:
        for runner in self.runners.values():
            await runner.stop()
        await self.deployer.teardown_all()
        await self.sink.stop()
