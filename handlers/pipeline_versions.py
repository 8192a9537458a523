"""A registered pipeline's versions as variants read them: the bytes, the hash, the wiring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.experiment.spec import PipelineRef
from domain.mapper import to_event
from domain.pipeline.decide import pipeline_stream
from domain.pipeline.events import PipelineDeprecated, PipelineVersionAdded
from handlers.ports import EventStore
from pipelines.splice import splice
from pipelines.wiring import collection_interval_seconds, interval_text


@dataclass(frozen=True)
class PipelineVersion:
    """One version of a registered pipeline: the bytes a variant on it runs."""

    name: str
    version: int
    sha256: str
    config: str
    deprecated: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


async def pipeline_version(store: EventStore, name: str, version: int | None) -> PipelineVersion:
    """Version ``version`` of pipeline ``name`` (None: the latest), or LookupError saying why not."""
    events = [to_event(e) for e in await store.read_stream(pipeline_stream(name))]
    versions = {e.version: e for e in events if isinstance(e, PipelineVersionAdded)}
    if not versions:
        raise LookupError(f"no pipeline {name} is registered")
    number = version or max(versions)
    if number not in versions:
        raise LookupError(
            f"pipeline {name} has no version {number} (its latest is {max(versions)})"
        )
    found = versions[number]
    deprecated = next((e.reason for e in events if isinstance(e, PipelineDeprecated)), None)
    return PipelineVersion(name, number, found.sha256, found.config, deprecated)


def wiring_for(found: PipelineVersion, wiring: dict[str, Any]) -> dict[str, Any]:
    """Phoenix's wiring for a variant on ``found``, with the headers naming its bytes."""
    return {**wiring, "pipeline": found.ref, "sha256": found.sha256}


def template_on(config: str, ref: PipelineRef, critical: Sequence[str]) -> str:
    """A template's variant run on a registered pipeline: the pipeline's config with the
    template's processors spliced in (its variables, the experiment's critical processes, the
    pipeline's collection interval), so it differs from that pipeline only by its reduction.
    """
    assert ref.template is not None, "a template's variant"
    variables = dict(ref.variables)
    if critical:
        variables.setdefault("critical_processes", list(critical))
    variables["collection_interval"] = interval_text(collection_interval_seconds(config))
    return splice(config, ref.template, variables)
