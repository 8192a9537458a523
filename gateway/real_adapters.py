"""The real adapters Phoenix runs on, from Settings: what `phoenix up` gives the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.auth.local_key import LocalKey
from adapters.auth.service_identity import ServiceTokens
from adapters.auth.verifier import TokenVerifier, oidc_trust
from adapters.collector.binary import find_otelcol
from adapters.collector.check import OtelcolCheck
from adapters.collector.deployer import ProcessDeployer
from adapters.embedded.ports import free_port
from adapters.gitops import GitRepository
from adapters.kube.api import KubeApi
from adapters.kube.deployer import KubernetesDeployer
from adapters.local_deployer import LocalDeployer
from adapters.measured_intervals import IntervalRecorder
from adapters.nats.bus import NatsBus
from adapters.observed_baseline import ObservedBaselines
from adapters.otlp_sink import OtlpSink
from adapters.postgres.dead_letters import PostgresDeadLetters
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.experiment_index import PostgresExperimentIndex
from adapters.postgres.measured_intervals import PostgresIntervals
from adapters.postgres.tracking import PostgresTracking
from adapters.settings import DEPLOYERS, Settings
from gateway.bootstrap import Ports, Wiring
from gateway.measuring import Measuring, measuring
from gateway.sample_load import SimulatedSample
from handlers.clock import SystemClock
from handlers.ports import Deployer

__all__ = ["DEPLOYERS", "DeployerUnavailable", "RealAdapters", "make_deployer"]


class DeployerUnavailable(RuntimeError):
    """The chosen deployer cannot run on this machine; the message says what is missing."""


async def make_deployer(settings: Settings, sink: OtlpSink) -> Deployer:
    if settings.deployer == "kubernetes":
        if not settings.kubeconfig:
            raise DeployerUnavailable(
                "the kubernetes deployer needs PHOENIX_KUBECONFIG: a kubeconfig file, or "
                "in-cluster for the pod's service account"
            )
        return KubernetesDeployer(await KubeApi.connect(settings.kubeconfig))
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
        f"unknown deployer {settings.deployer!r}; known: {', '.join(DEPLOYERS)}"
    )


def _process_variables(_variant: str) -> dict[str, Any]:
    return {"health_check_endpoint": f"127.0.0.1:{free_port()}"}


@dataclass
class RealAdapters:
    """The ports on PostgreSQL, NATS and this host, and the OTLP sink the variants send to."""

    ports: Ports
    wiring: Wiring
    sink: OtlpSink
    recorder: IntervalRecorder
    key: LocalKey
    measuring: Measuring

    @property
    def deployer(self) -> Deployer:
        return self.ports.deployer

    @classmethod
    async def start(
        cls, settings: Settings, bus: NatsBus, store: PostgresEventStore
    ) -> RealAdapters:
        engine = store.engine
        key = LocalKey.of(settings.data_dir, settings.signing_key)
        authenticator = TokenVerifier(key, oidc_trust(settings))
        recorder = IntervalRecorder(store, PostgresIntervals(engine))
        # A stable port: collectors and load keep sending to it across a restart of Phoenix.
        observed = ObservedBaselines(settings.data_dir / "observed", store)
        sink = OtlpSink(port=settings.otlp_port, recorder=recorder, observed=observed)
        await sink.start()
        try:
            measured = await measuring(settings, recorder)
        except BaseException:
            await sink.stop()
            raise
        try:
            deployer = await make_deployer(settings, sink)
        except BaseException:
            await measured.stop()
            await sink.stop()
            raise
        ports = Ports(
            store=store,
            bus=bus,
            clock=SystemClock(),
            deployer=deployer,
            source=measured.source,
            gitops=GitRepository(settings.gitops_path, remote=settings.gitops_remote),
            index=PostgresExperimentIndex(engine),
            tracking=PostgresTracking(engine),
            dead_letters=PostgresDeadLetters(engine),
            authenticator=authenticator,
            service=ServiceTokens(key),
            sample=SimulatedSample(),
            collector=OtelcolCheck(binary) if (binary := find_otelcol()) else None,
        )
        wiring = Wiring(
            # Collectors elsewhere (pods) reach the sink at the address Phoenix is known by there.
            defaults={
                "otlp_endpoint": settings.otlp_public_url or sink.endpoint,
                # A pod has an address of its own: its collector's metrics give its overhead.
                **({"telemetry_metrics_port": 8888} if settings.deployer == "kubernetes" else {}),
                # Measuring through Prometheus: the variants (and their collectors) send there too.
                **(
                    {"prometheus_otlp_endpoint": measured.prometheus_otlp_url}
                    if measured.prometheus_otlp_url
                    else {}
                ),
            },
            per_variant=_process_variables if settings.deployer == "process" else None,
        )
        return cls(ports, wiring, sink, recorder, key, measured)

    async def stop(self) -> None:
        await self.sink.stop()
        await self.measuring.stop()
