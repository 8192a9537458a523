"""Deterministic identifiers: stream ids and ids derived from other ids."""

from __future__ import annotations

from uuid import UUID, uuid5

PHOENIX_NAMESPACE = UUID("6f1c2f4e-8a53-4a4e-9d0b-3f6a9b1f1e01")


def derived_id(*parts: object) -> UUID:
    """A UUIDv5 of the parts: the same parts always give the same id."""
    return uuid5(PHOENIX_NAMESPACE, "/".join(str(p) for p in parts))


def experiment_stream(experiment_id: UUID) -> str:
    return f"experiment-{experiment_id}"


def stream_uuid(stream_id: str) -> UUID:
    """The UUID part of a stream id such as ``experiment-<uuid>``."""
    return UUID(stream_id.split("-", 1)[1])
