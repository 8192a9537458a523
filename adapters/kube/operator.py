"""Phoenix's operator: watches ProcessPipelines and the objects made from them, and reconciles
each pipeline whenever it or one of its children changes (one reconcile per pipeline at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
from uuid import UUID, uuid5

from adapters.kube.api import CONFIG_MAPS, DAEMON_SETS, EXPERIMENTS, PROCESS_PIPELINES, KubeApi, Obj
from adapters.kube.experiment_reconciler import ExperimentReconciler
from adapters.kube.informer import Informer, key_of
from adapters.kube.manifests import MANAGER
from adapters.kube.pipeline_reconciler import PipelineReconciler, RecordDrift
from adapters.kube.work_queue import WorkQueue
from domain.cluster.commands import RecordPipelineDrift
from domain.messages import CommandEnvelope
from handlers.ports import CommandBus

DRIFT_IDS = UUID("0b6f5a0e-3c1d-5d8e-9a51-7f0c2e4b9d13")
CHILDREN = f"app.kubernetes.io/managed-by={MANAGER}"


def drift_recorder(bus: CommandBus) -> RecordDrift:
    """Sends RecordPipelineDrift with an id of the edited object's uid and version: the same
    edit put back twice (a restart between) is recorded once.
    """

    async def record(command: RecordPipelineDrift, uid: str) -> None:
        command_id = uuid5(DRIFT_IDS, f"{uid}@{command.resource_version}")
        await bus.send(
            CommandEnvelope(
                command_id=command_id,
                type=type(command).__name__,
                data=command.model_dump(mode="json"),
            )
        )

    return record


def _owner_key(obj: Obj) -> str | None:
    metadata = obj["metadata"]
    for owner in metadata.get("ownerReferences") or []:
        if owner.get("kind") == "ProcessPipeline" and owner.get("controller"):
            return f"{metadata['namespace']}/{owner['name']}"
    return None


class Operator:
    """Informers on ProcessPipelines, ConfigMaps and DaemonSets (Phoenix's only) feeding one
    work queue; ``workers`` reconcile from it concurrently, never two on one pipeline.
    """

    def __init__(
        self,
        api: KubeApi,
        record: RecordDrift,
        *,
        experiments: ExperimentReconciler | None = None,
        namespace: str | None = None,
        workers: int = 2,
    ) -> None:
        self.queue = WorkQueue()
        self.reconciler = PipelineReconciler(api, record)
        self.workers = workers
        self.informers = [
            Informer(api, PROCESS_PIPELINES, self._pipeline, namespace),
            Informer(api, CONFIG_MAPS, self._child, namespace, labels=CHILDREN),
            Informer(api, DAEMON_SETS, self._child, namespace, labels=CHILDREN),
        ]
        # Experiments have a queue of their own: their keys are another kind's.
        self.experiment_queue = WorkQueue()
        self.experiments = experiments
        if experiments is not None:
            self.informers.append(
                Informer(
                    api,
                    EXPERIMENTS,
                    lambda _, obj: self.experiment_queue.add(key_of(obj)),
                    namespace,
                )
            )

    def _pipeline(self, change: str, obj: Obj) -> None:
        if change != "DELETED":
            self.queue.add(key_of(obj))

    def _child(self, change: str, obj: Obj) -> None:
        owner = _owner_key(obj)
        if owner is not None:
            self.queue.add(owner)

    async def synced(self) -> None:
        """Once every informer has listed."""
        await asyncio.gather(*(informer.synced.wait() for informer in self.informers))

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(informer.run(stop)) for informer in self.informers]
        tasks += [
            asyncio.create_task(self.queue.work(self.reconciler.reconcile, stop))
            for _ in range(self.workers)
        ]
        if self.experiments is not None:
            tasks.append(
                asyncio.create_task(self.experiment_queue.work(self.experiments.reconcile, stop))
            )
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self.queue.close()
            self.experiment_queue.close()
