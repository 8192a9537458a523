"""One ProcessPipeline made true on the cluster: its ConfigMap and DaemonSet applied, hand edits
put back (and recorded), its status written from the DaemonSet's.

Whether a child needs applying is asked of the API server itself: a server-side dry-run apply
gives the object as it would be (defaults filled in, quantities normalised), and only if that
differs from the live object is it applied. A difference on a child already made from the
pipeline's current generation is someone else's edit: drift.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import yaml

from adapters.kube.api import (
    DAEMON_SETS,
    EVENTS,
    PROCESS_PIPELINES,
    KubeApi,
    Obj,
    kind_of,
)
from adapters.kube.manifests import GENERATION_ANNOTATION, SHA_ANNOTATION, children
from domain.cluster.commands import RecordPipelineDrift

log = logging.getLogger(__name__)

RecordDrift = Callable[[RecordPipelineDrift, str], Awaitable[None]]
"""Records a drift correction in Phoenix's log; given the command and the edited object's uid."""

COMPARED = {"ConfigMap": ("data", "binaryData"), "DaemonSet": ("spec",)}
MAX_FIELDS = 64


def differences(want: Any, have: Any, path: str = "") -> list[str]:
    """The paths where ``have`` differs from ``want`` (dicts by key, lists by position)."""
    if isinstance(want, dict) and isinstance(have, dict):
        found: list[str] = []
        for key in sorted(set(want) | set(have)):
            found += differences(want.get(key), have.get(key), f"{path}.{key}" if path else key)
        return found
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        return [
            p
            for i, (w, h) in enumerate(zip(want, have, strict=True))
            for p in differences(w, h, f"{path}[{i}]")
        ]
    return [] if want == have else [path or "."]


def _owned(obj: Obj, desired: Obj, sections: tuple[str, ...]) -> dict[str, Any]:
    """What of ``obj`` Phoenix sets: its sections, and of the labels and annotations only those
    ``desired`` has (the API server keeps some of its own, such as the DaemonSet's
    ``deprecated.daemonset.template.generation``; other tools may add theirs).
    """
    metadata = obj.get("metadata") or {}
    wanted = desired["metadata"]
    return {
        **{
            field: {k: v for k, v in (metadata.get(field) or {}).items() if k in wanted[field]}
            for field in ("labels", "annotations")
        },
        "ownerReferences": metadata.get("ownerReferences") or [],
        **{section: obj.get(section) for section in sections},
    }


def _condition(
    previous: list[dict[str, Any]], kind: str, ok: bool, reason: str, message: str, generation: int
) -> dict[str, Any]:
    status = "True" if ok else "False"
    before = next((c for c in previous if c.get("type") == kind), None)
    since = (
        before["lastTransitionTime"]
        if before and before.get("status") == status and before.get("lastTransitionTime")
        else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": since,
        "observedGeneration": generation,
    }


def readiness(daemon_set: Obj | None) -> tuple[bool, str, str, int, int]:
    """Ready?, reason, message, desired and ready nodes, from a DaemonSet's status."""
    if daemon_set is None:
        return False, "NotApplied", "the DaemonSet is not there yet", 0, 0
    status = daemon_set.get("status") or {}
    desired = int(status.get("desiredNumberScheduled") or 0)
    ready = int(status.get("numberReady") or 0)
    current = int(status.get("observedGeneration") or 0) >= int(
        daemon_set["metadata"].get("generation") or 1
    )
    if not current:
        return (
            False,
            "Progressing",
            "the DaemonSet's controller has not seen it yet",
            desired,
            ready,
        )
    if desired == 0:
        return False, "NoNodes", "no node matches the node selector and tolerations", 0, 0
    if ready < desired:
        return False, "Progressing", f"{ready} of {desired} nodes ready", desired, ready
    return True, "AllNodesReady", f"{ready} of {desired} nodes ready", desired, ready


class PipelineReconciler:
    """Reconciles ProcessPipelines by key (``namespace/name``)."""

    def __init__(self, api: KubeApi, record: RecordDrift, *, instance: str | None = None) -> None:
        self.api, self.record = api, record
        self.instance = instance or socket.gethostname()

    async def reconcile(self, key: str) -> float | None:
        namespace, name = key.split("/", 1)
        pipeline = await self.api.get(PROCESS_PIPELINES, namespace, name)
        if pipeline is None or pipeline["metadata"].get("deletionTimestamp"):
            return None  # its children are owned by it: the garbage collector takes them
        generation = int(pipeline["metadata"].get("generation") or 1)
        try:
            config_map, daemon_set = children(pipeline)
        except (yaml.YAMLError, KeyError, ValueError) as error:  # a template's RenderError too
            await self._status(pipeline, None, None, invalid=str(error))
            return None
        for desired in (config_map, daemon_set):
            await self._converge(pipeline, desired, generation)
        live = await self.api.get(DAEMON_SETS, namespace, daemon_set["metadata"]["name"])
        sha = config_map["metadata"]["annotations"][SHA_ANNOTATION]
        await self._status(pipeline, live, sha)
        return None

    async def _converge(self, pipeline: Obj, desired: Obj, generation: int) -> None:
        kind = kind_of(desired)
        metadata = desired["metadata"]
        live = await self.api.get(kind, metadata["namespace"], metadata["name"])
        if live is None:
            await self.api.apply(desired)
            return
        made_from = (live["metadata"].get("annotations") or {}).get(GENERATION_ANNOTATION)
        if made_from != str(generation):
            await self.api.apply(desired)  # the pipeline changed: no need to ask what differs
            return
        sections = COMPARED[desired["kind"]]
        expected = await self.api.apply(desired, dry_run=True)
        changed = differences(_owned(expected, desired, sections), _owned(live, desired, sections))
        if changed:
            await self.api.apply(desired)
            await self._drifted(pipeline, live, changed[:MAX_FIELDS], generation)

    async def _drifted(self, pipeline: Obj, live: Obj, fields: list[str], generation: int) -> None:
        metadata = live["metadata"]
        log.warning(
            "put back a hand edit of %s %s/%s: %s",
            live["kind"],
            metadata["namespace"],
            metadata["name"],
            ", ".join(fields),
        )
        command = RecordPipelineDrift(
            namespace=metadata["namespace"],
            name=pipeline["metadata"]["name"],
            kind=live["kind"],
            object=metadata["name"],
            fields=tuple(fields),
            generation=generation,
            resource_version=str(metadata["resourceVersion"]),
        )
        await self.record(command, str(metadata["uid"]))
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        await self.api.create(
            EVENTS,
            metadata["namespace"],
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {
                    "generateName": f"{metadata['name']}.",
                    "namespace": metadata["namespace"],
                },
                "involvedObject": {
                    "apiVersion": live["apiVersion"],
                    "kind": live["kind"],
                    "name": metadata["name"],
                    "namespace": metadata["namespace"],
                    "uid": metadata["uid"],
                    "resourceVersion": metadata["resourceVersion"],
                },
                "type": "Warning",
                "reason": "DriftCorrected",
                "message": (
                    f"put back what ProcessPipeline {pipeline['metadata']['name']} (generation "
                    f"{generation}) says; the edit had changed {', '.join(fields[:8])}"
                ),
                "source": {"component": "phoenix-operator"},
                "reportingComponent": "phoenix.io/operator",
                "reportingInstance": self.instance[:128],
                "firstTimestamp": now[:19] + "Z",
                "lastTimestamp": now[:19] + "Z",
                "eventTime": now,
                "action": "Apply",
                "count": 1,
            },
        )

    async def _status(
        self, pipeline: Obj, daemon_set: Obj | None, sha: str | None, *, invalid: str | None = None
    ) -> None:
        metadata = pipeline["metadata"]
        generation = int(metadata.get("generation") or 1)
        previous = (pipeline.get("status") or {}).get("conditions") or []
        if invalid is not None:
            ok, reason, message, desired, ready = False, "InvalidConfig", invalid[:1000], 0, 0
        else:
            ok, reason, message, desired, ready = readiness(daemon_set)
        status: dict[str, Any] = {
            "observedGeneration": generation,
            "desiredNodes": desired,
            "readyNodes": ready,
            "conditions": [_condition(previous, "Ready", ok, reason, message, generation)],
        }
        if sha is not None:
            status["configSha256"] = sha
        if all((pipeline.get("status") or {}).get(k) == v for k, v in status.items()):
            return
        await self.api.merge_patch(
            PROCESS_PIPELINES,
            metadata["namespace"],
            metadata["name"],
            {"status": status},
            status=True,
        )
