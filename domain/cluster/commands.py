"""Commands about one ProcessPipeline object on a cluster, sent by Phoenix's operator."""

from __future__ import annotations

from pydantic import Field

from domain.messages import Command

K8S_NAME = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"


class ClusterCommand(Command):
    aggregate = "cluster"
    namespace: str = Field(pattern=K8S_NAME, max_length=63)
    name: str = Field(pattern=K8S_NAME, max_length=253, description="the ProcessPipeline's name")


class RecordPipelineDrift(ClusterCommand):
    """The operator put back a hand edit of a ProcessPipeline's ConfigMap or DaemonSet."""

    kind: str = Field(pattern=r"^(ConfigMap|DaemonSet)$")
    object: str = Field(pattern=K8S_NAME, max_length=253, description="the edited object")
    fields: tuple[str, ...] = Field(
        max_length=64, description="the paths the edit had changed, as the operator found them"
    )
    generation: int = Field(ge=1, description="the ProcessPipeline's generation it restored")
    resource_version: str = Field(max_length=64, description="the edited object's version")


COMMANDS: tuple[type[Command], ...] = (RecordPipelineDrift,)
