"""Work that only one Phoenix replica may do at a time (the operator), led through a
``coordination.k8s.io`` Lease with kubernetes-asyncio's leader election.
"""

from __future__ import annotations

import asyncio
import logging

from kubernetes_asyncio.leaderelection import electionconfig, leaderelection
from kubernetes_asyncio.leaderelection.resourcelock.leaselock import LeaseLock

from adapters.kube.api import KubeApi
from adapters.stopping import until_stopped
from adapters.supervisor import Loop

log = logging.getLogger(__name__)

LEASE = "phoenix-operator"


class Leadership:
    """Runs ``work`` while this replica (``identity``) holds the Lease ``namespace/LEASE``; another
    replica takes over within ``duration`` seconds of the holder's last renewal.
    """

    def __init__(
        self,
        api: KubeApi,
        namespace: str,
        identity: str,
        *,
        duration: int = 15,  # whole seconds: the Lease's leaseDurationSeconds
        renew: int = 10,
        retry: int = 2,
    ) -> None:
        self.api, self.namespace, self.identity = api, namespace, identity
        self.duration, self.renew, self.retry = duration, renew, retry
        self.leading = asyncio.Event()

    def run(self, work: Loop) -> Loop:
        """A loop that leads when it can and runs ``work`` while it does."""

        async def lead(stop: asyncio.Event) -> None:
            while not stop.is_set():
                election = leaderelection.LeaderElection(
                    electionconfig.Config(
                        LeaseLock(LEASE, self.namespace, self.identity, self.api.client),
                        lease_duration=self.duration,
                        renew_deadline=self.renew,
                        retry_period=self.retry,
                        onstarted_leading=lambda: self._work(work, stop),
                        onstopped_leading=self._lost,
                    )
                )
                await until_stopped(election.run(), stop)
            self.leading.clear()

        return lead

    async def _work(self, work: Loop, stop: asyncio.Event) -> None:
        log.info("%s leads the operator (lease %s/%s)", self.identity, self.namespace, LEASE)
        self.leading.set()
        try:
            await work(stop)
        finally:
            self.leading.clear()

    async def _lost(self) -> None:
        log.warning("%s lost the operator's lease; following", self.identity)
        self.leading.clear()
