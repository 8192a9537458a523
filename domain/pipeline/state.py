"""A pipeline's state, and how each event moves it: ``state = apply(state, event)``."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.messages import Event
from domain.pipeline import events as ev


class PipelineVersion(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    sha256: str


class Pipeline(BaseModel):
    """A registered pipeline as its events make it; ``version`` counts the events folded."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: int
    description: str = ""
    owner: str | None = None
    labels: dict[str, str] = {}
    versions: tuple[PipelineVersion, ...] = ()
    deprecated: str | None = None
    promoted: int | None = None  # the version last promoted by an experiment
    promoted_by: frozenset[UUID] = frozenset()  # the experiments that promoted a version

    def version_with(self, sha256: str) -> PipelineVersion | None:
        return next((v for v in self.versions if v.sha256 == sha256), None)


def apply(state: Pipeline | None, event: Event) -> Pipeline:
    """The state after one more event; the first must be PipelineRegistered."""
    if state is None:
        if not isinstance(event, ev.PipelineRegistered):
            raise ValueError(f"a pipeline stream must begin with PipelineRegistered, not {event}")
        return Pipeline(
            name=event.name,
            version=1,
            description=event.description,
            owner=event.owner,
            labels=dict(event.labels),
        )
    match event:
        case ev.PipelineVersionAdded(version=number, sha256=sha256):
            added = (*state.versions, PipelineVersion(number=number, sha256=sha256))
            return state.model_copy(update={"version": state.version + 1, "versions": added})
        case ev.PipelineDeprecated(reason=reason):
            return state.model_copy(update={"version": state.version + 1, "deprecated": reason})
        case ev.PipelinePromoted(version=number, experiment_id=experiment_id):
            return state.model_copy(
                update={
                    "version": state.version + 1,
                    "promoted": number,
                    "promoted_by": state.promoted_by | {experiment_id},
                }
            )
    raise ValueError(f"a pipeline cannot apply {type(event).__name__}")
