"""Commands that address a registered pipeline (stream ``pipeline-<name>``)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.bounds import FreeForm
from domain.identity import Role
from domain.messages import Command
from domain.pipeline.recommended import Recommended

PIPELINE_NAME = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
LabelKey = Annotated[str, Field(min_length=1, max_length=63)]
LabelValue = Annotated[str, Field(max_length=256)]
MAX_CONFIG = 256 * 1024  # characters of YAML: far above any collector config seen in practice


class FromTemplate(BaseModel):
    """One of Phoenix's templates and its variables: rendered, and frozen as the version's
    config, when the command is handled.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="e.g. process-topk-v1")
    variables: FreeForm = Field(default_factory=dict)


class PipelineCommand(Command):
    aggregate = "pipeline"
    sent_by = Role.OPERATOR  # people register, revise and deprecate their pipelines
    name: str = Field(pattern=PIPELINE_NAME, description="the pipeline's name, DNS-label shaped")


class NewVersion(PipelineCommand):
    """What a command that adds a version carries: a config, or a template to render into one."""

    config: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CONFIG,
        description="the collector config (YAML); or give template",
    )
    template: FromTemplate | None = Field(
        default=None, description="a template and its variables, instead of config"
    )
    recommended: Recommended | None = Field(
        default=None, description="set when Phoenix recommended this config"
    )
    validated_by: tuple[str, ...] = Field(
        default=(), description="set by Phoenix when it handles the command: what checked it"
    )

    @model_validator(mode="after")
    def _config_or_template(self) -> Self:
        if (self.config is None) == (self.template is None):
            raise ValueError("give either config or template, not both or neither")
        return self


class RegisterPipeline(NewVersion):
    """Register a collector config under a new name as its version 1; registering the same
    bytes under the same name again changes nothing.
    """

    description: str = Field(default="", max_length=4000)
    owner: str | None = Field(default=None, max_length=200)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict, max_length=32)


class RevisePipeline(NewVersion):
    """Add a new version of a registered pipeline; a config equal to an existing version's
    changes nothing.
    """

    note: str = Field(default="", max_length=2000, description="what changed, for the record")


class DeprecatePipeline(PipelineCommand):
    """Mark a pipeline as no longer to be used for new experiments; its versions stay readable."""

    reason: str = Field(min_length=1, max_length=2000)


class PromotePipelineVersion(PipelineCommand):
    """(handler) An experiment's winner becomes the pipeline's next version (or, if its bytes
    are a version already, that one), promoted with the experiment as its cause.
    """

    sent_by = Role.SERVICE
    config: str = Field(min_length=1, max_length=MAX_CONFIG)
    experiment_id: UUID
    variant: str = Field(min_length=1, max_length=40)
    commit_id: str | None = Field(default=None, max_length=64)
    validated_by: tuple[str, ...] = ()


COMMANDS: tuple[type[Command], ...] = (
    RegisterPipeline,
    RevisePipeline,
    DeprecatePipeline,
    PromotePipelineVersion,
)
