"""A registered pipeline's versions as variants read them: the bytes, the hash, the wiring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.mapper import to_event
from domain.pipeline.decide import pipeline_stream
from domain.pipeline.events import PipelineDeprecated, PipelineVersionAdded
from handlers.ports import EventStore


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
