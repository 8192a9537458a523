"""Phoenix's operator as ``phoenix up`` runs it when a kubeconfig is set: led through a Lease,
recording drift through Phoenix's own bus as the ``operator`` service identity.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from adapters.auth.service_identity import ServiceTokens, TokenBus, service_bus
from adapters.kube.api import KubeApi
from adapters.kube.experiment_reconciler import ExperimentReconciler
from adapters.kube.leadership import Leadership
from adapters.kube.operator import Operator, drift_recorder
from adapters.settings import Settings
from adapters.supervisor import Loop
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
