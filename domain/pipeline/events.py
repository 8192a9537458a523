"""Events in a pipeline's stream, each a fact in the past tense."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from domain.messages import Event
from domain.pipeline.commands import FromTemplate
from domain.pipeline.recommended import Recommended


class PipelineEvent(Event):
    """Something that happened to one registered pipeline; its stream is ``pipeline-<name>``."""

    aggregate = "pipeline"
    name: str


class PipelineRegistered(PipelineEvent):
    """A pipeline was registered under its name, with its description, owner and labels."""

    description: str = ""
    owner: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)


class PipelineVersionAdded(PipelineEvent):
    """A new immutable version of the pipeline: its number (1, 2, ...), config and sha256."""

    version: int = Field(ge=1)
    config: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    note: str = ""
    recommended: Recommended | None = None
    template: FromTemplate | None = None  # the template and variables it was rendered from
    validated_by: tuple[str, ...] = ()  # what checked it before it was recorded


class PipelineDeprecated(PipelineEvent):
    """The pipeline is not to be used for new experiments, and why; its versions stay."""

    reason: str


class PipelinePromoted(PipelineEvent):
    """An experiment's winner was promoted: this version is what the pipeline runs from now."""

    version: int = Field(ge=1)
    experiment_id: UUID
    variant: str
    commit_id: str | None = None


EVENTS: tuple[type[Event], ...] = (
    PipelineRegistered,
    PipelineVersionAdded,
    PipelineDeprecated,
    PipelinePromoted,
)
