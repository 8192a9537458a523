"""The composition root: Phoenix built from its ports, with the real adapters or with fakes alike.

``bootstrap`` wires the handlers to whatever implements the ports; ``phoenix up``, the demo and
the end-to-end tests give it PostgreSQL, NATS and real deployers (``gateway.runtime``), the unit
tests give it the in-memory adapters (``tests/in_memory.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.auth.service_identity import ServiceTokens, SigningBus, service_bus
from adapters.command_worker import CommandWorker
from adapters.metrics import Metrics
from adapters.nats.consumer import DeadLetterSink, DeliveryPolicy, MessageBus
from adapters.reactor_runner import ReactorRunner
from adapters.supervisor import Loop
from handlers.analysis import Analysis
from handlers.command_handler import CommandHandler
from handlers.config_generation import ConfigGeneration
from handlers.deployment import DeploymentHandler
from handlers.guardrail import Guardrail
from handlers.lifecycle import Lifecycle, WindowScheduler
from handlers.pipeline_refs import PipelineRefs
from handlers.ports import (
    Authenticator,
    Clock,
    CollectorCheck,
    Deployer,
    EventStore,
    ExperimentIndex,
    GitOps,
    MetricsSource,
    SampleLoad,
    Tracking,
)
from handlers.promotion import Promotion
from handlers.reactor import Reactor

__all__ = ["Phoenix", "Ports", "Wiring", "bootstrap", "own_durables"]


@dataclass(frozen=True)
class Ports:
    """Everything Phoenix needs from the world, one implementation each."""

    store: EventStore
    bus: MessageBus
    clock: Clock
    deployer: Deployer
    source: MetricsSource
    gitops: GitOps
    index: ExperimentIndex
    tracking: Tracking
    dead_letters: DeadLetterSink
    # Verifies the token on every command; and who Phoenix's own handlers are (ADR 0008).
    authenticator: Authenticator
    service: ServiceTokens
    # What the evaluator predicts a registered pipeline's effect on before it is deployed.
    sample: SampleLoad | None = None
    # A real collector's `otelcol validate`, for every pipeline version registered.
    collector: CollectorCheck | None = None


@dataclass(frozen=True)
class Wiring:
    """What config generation adds to every variant's variables, which users cannot override:
    deployment-wide values (where to export) and each variant's own (a health-check port).
    """

    defaults: dict[str, Any] = field(default_factory=dict)
    per_variant: Callable[[str], dict[str, Any]] | None = None


@dataclass
class Phoenix:
    """The command worker, the reactors on their consumers, and the schedulers' loops."""

    ports: Ports
    handler: CommandHandler
    worker: CommandWorker
    reactors: dict[str, ReactorRunner]
    deployment: DeploymentHandler
    promotion: Promotion
    scheduler: WindowScheduler
    guardrail: Guardrail

    async def start(self) -> None:
        await self.worker.start()
        # Before the reactors consume: what was deployed for experiments under way comes back.
        await self.deployment.recover(self.ports.index)
        for runner in self.reactors.values():
            await runner.start()

    def loops(self) -> dict[str, Loop]:
        """The long-lived loops to supervise (``adapters.supervisor``)."""
        return {"window-scheduler": self.scheduler.run, "guardrail": self.guardrail.run}

    async def stop(self) -> None:
        """Stop consuming (what arrives waits on the bus) and take the collectors down."""
        for runner in self.reactors.values():
            await runner.stop()
        await self.worker.stop()
        await self.ports.deployer.teardown_all()


REACTORS = (ConfigGeneration, Lifecycle, DeploymentHandler, Analysis, Promotion)


def own_durables() -> tuple[str, ...]:
    """The durable consumers of PHOENIX_EVENTS that are Phoenix's (no one else may use them)."""
    return tuple(f"reactor-{reactor.name}" for reactor in REACTORS)


def bootstrap(
    ports: Ports,
    *,
    wiring: Wiring | None = None,
    metrics: Metrics | None = None,
    policy: DeliveryPolicy | None = None,
    scheduler_tick: float = 0.25,
    guardrail_tick: float = 1.0,
) -> Phoenix:
    """Phoenix on ``ports``; ``policy`` overrides every consumer's delivery policy (tests)."""
    wiring = wiring or Wiring()
    handler = CommandHandler(
        ports.store, ports.clock, pin=PipelineRefs(ports.store, ports.sample, ports.collector)
    )
    worker = CommandWorker(
        ports.bus, handler, ports.authenticator, ports.dead_letters, metrics, policy=policy
    )

    def sender(component: str) -> SigningBus:
        return service_bus(ports.bus, ports.service, component)

    deployment = DeploymentHandler(ports.store, ports.deployer)
    promotion = Promotion(ports.store, ports.gitops)
    reactors: list[Reactor] = [
        ConfigGeneration(ports.store, defaults=wiring.defaults, per_variant=wiring.per_variant),
        Lifecycle(),
        deployment,
        Analysis(ports.store, ports.source, ports.deployer),
        promotion,
    ]
    return Phoenix(
        ports=ports,
        handler=handler,
        worker=worker,
        reactors={
            reactor.name: ReactorRunner(
                ports.bus,
                ports.tracking,
                reactor,
                ports.dead_letters,
                sender=sender(f"reactor:{reactor.name}"),
                policy=policy,
            )
            for reactor in reactors
        },
        deployment=deployment,
        promotion=promotion,
        scheduler=WindowScheduler(
            ports.index, sender("scheduler:lifecycle"), ports.clock, tick=scheduler_tick
        ),
        guardrail=Guardrail(
            ports.index,
            ports.store,
            ports.source,
            sender("scheduler:guardrail"),
            ports.clock,
            tick=guardrail_tick,
        ),
    )
