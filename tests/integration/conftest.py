"""Fixtures of the integration tier beyond the session's servers (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.otlp_sink import OtlpSink
from domain.telemetry.model import Batch
from tests.kube_cluster import cluster

__all__ = ["cluster", "otlp_received"]


@pytest.fixture
async def otlp_received() -> AsyncIterator[tuple[str, list[Batch]]]:
    """Phoenix's OTLP sink on loopback, keeping every batch it receives: (endpoint, batches)."""
    sink = OtlpSink(keep_batches=True)
    await sink.start()
    assert sink.batches is not None
    yield sink.endpoint, sink.batches
    await sink.stop()
