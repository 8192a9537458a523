"""Events in a cluster object's stream, each a fact in the past tense."""

from __future__ import annotations

from domain.messages import Event


class ClusterEvent(Event):
    """Something that happened to one ProcessPipeline on a cluster."""

    aggregate = "cluster"
    namespace: str
    name: str


class PipelineDriftCorrected(ClusterEvent):
    """Someone edited a ProcessPipeline's ConfigMap or DaemonSet by hand; the operator put back
    what the ProcessPipeline says (``fields`` are the paths the edit had changed).
    """

    kind: str
    object: str
    fields: tuple[str, ...]
    generation: int
    resource_version: str


EVENTS: tuple[type[Event], ...] = (PipelineDriftCorrected,)
