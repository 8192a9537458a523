"""Phoenix's operator as ``phoenix up`` runs it when a kubeconfig is set: led through a Lease,
recording drift through Phoenix's own bus as the ``operator`` service identity.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.auth.local_key import LocalKey
from adapters.auth.service_identity import ServiceTokens, TokenBus, service_bus
from adapters.kube.api import KubeApi
from adapters.kube.experiment_reconciler import ExperimentReconciler
from adapters.kube.leadership import Leadership
from adapters.kube.operator import Operator, drift_recorder
from adapters.nats.bus import NatsBus
from adapters.nats.security import external_security
from adapters.postgres.engine import create_engine
from adapters.postgres.read_model import PostgresReadModel
from adapters.settings import Settings, async_database_url
from adapters.supervisor import Loop, Supervisor
from domain.identity import Role
from projections.read_model import ReadModel

COMPONENT = "operator:kubernetes"


@dataclass
class KubeOperator:
    api: KubeApi
    operator: Operator
    leadership: Leadership

    @classmethod
    async def connect(
        cls, settings: Settings, bus: TokenBus, tokens: ServiceTokens, read: ReadModel
    ) -> KubeOperator:
        assert settings.kubeconfig is not None
        api = await KubeApi.connect(settings.kubeconfig)
        # It creates, starts and cancels experiments for whoever Kubernetes's RBAC let create
        # or delete an Experiment object: the operator role besides the service one.
        sender = service_bus(bus, tokens, COMPONENT, also=(Role.OPERATOR,))
        operator = Operator(
            api,
            drift_recorder(sender),
            experiments=ExperimentReconciler(api, sender, read, tokens.command_id),
            namespace=settings.kube_namespace,
        )
        # The Lease lives where the operator works, or in the pod's own namespace.
        lease_namespace = settings.kube_namespace or os.environ.get("POD_NAMESPACE") or "default"
        identity = f"{socket.gethostname()}-{os.getpid()}"
        return cls(api, operator, Leadership(api, lease_namespace, identity))

    def loop(self) -> Loop:
        return self.leadership.run(self.operator.run)

    async def close(self) -> None:
        await self.api.close()


@dataclass
class StandaloneOperator:
    """The operator alone (``phoenix operator``): its own connections to Phoenix's bus and read
    model, its own supervisor.
    """

    bus: NatsBus
    engine: AsyncEngine
    kube: KubeOperator
    supervisor: Supervisor

    @classmethod
    async def start(cls, settings: Settings) -> StandaloneOperator:
        assert settings.nats_url and settings.database_url, "checked by the command"
        bus = NatsBus(settings.nats_url, security=external_security(settings))
        await bus.start()
        engine = create_engine(async_database_url(settings.database_url), pool_size=2)
        try:
            tokens = ServiceTokens(LocalKey.of(settings.data_dir, settings.signing_key))
            kube = await KubeOperator.connect(settings, bus, tokens, PostgresReadModel(engine))
        except BaseException:
            await bus.stop()
            await engine.dispose()
            raise
        supervisor = Supervisor()
        supervisor.run("operator", kube.loop())
        return cls(bus, engine, kube, supervisor)

    async def stop(self) -> None:
        await self.supervisor.stop()
        await self.kube.close()
        await self.bus.stop()
        await self.engine.dispose()
