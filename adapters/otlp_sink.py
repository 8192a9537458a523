"""Phoenix's OTLP sink: receives OTLP/HTTP from the variants' collectors and counts series per variant."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from litestar import Litestar, Request, post
from litestar.exceptions import HTTPException

from adapters.measured_intervals import IntervalRecorder, series_hashes
from adapters.observed_baseline import ObservedBaselines
from domain.telemetry.model import Batch, ResourceMetrics, datapoint_count
from pipelines.wiring import EXPERIMENT_ATTRIBUTE, VARIANT_ATTRIBUTE
from simulator.otlp import decode_body

EXPERIMENT_HEADER = "x-phoenix-experiment"
VARIANT_HEADER = "x-phoenix-variant"
LOAD_HEADER = "x-phoenix-load"
PIPELINE_HEADER = "x-phoenix-pipeline"
PIPELINE_SHA256_HEADER = "x-phoenix-pipeline-sha256"

LoadListener = Callable[[list[Batch], int], Awaitable[None]]
_LABELS = (EXPERIMENT_ATTRIBUTE, VARIANT_ATTRIBUTE)


def unlabelled(batch: Batch) -> Batch:
    """The batch without the variant's identity that the wiring puts on resources for
    Prometheus: a process is the same process in every variant.
    """
    if not any(k in _LABELS for rm in batch for k, _ in rm.resource):
        return batch
    return [
        ResourceMetrics(tuple(a for a in rm.resource if a[0] not in _LABELS), rm.metrics, rm.scope)
        for rm in batch
    ]


class _Quiet(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class LiveCounts:
    """What a variant has sent so far, for watching it (the measurements are the recorder's):
    its distinct series kept as hashes, not as the keys, which would hold every decoded
    attribute tuple alive for the whole window.
    """

    series: set[int] = field(default_factory=set)
    datapoints: int = 0

    def add(self, series: set[int], datapoints: int) -> None:
        self.series |= series
        self.datapoints += datapoints

    @property
    def cardinality(self) -> int:
        return len(self.series)


class OtlpSink:
    """An OTLP/HTTP receiver on loopback; each (experiment, variant) gets its own series window."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        keep_batches: bool = False,
        recorder: IntervalRecorder | None = None,
        observed: ObservedBaselines | None = None,
    ) -> None:
        self.host, self.port = host, port
        # Live counts (what the demo shows); the measurements themselves go to the recorder.
        self.windows: dict[tuple[str, str], LiveCounts] = defaultdict(LiveCounts)
        self.recorder = recorder
        self.observed = observed  # the baselines' batches themselves, for recommendations
        # Simulated load (from `phoenix loadsim`) is handed to these, for the local deployer.
        self.load_listeners: list[LoadListener] = []
        # Every decoded batch, in arrival order, for callers that compare values (tests).
        self.batches: list[Batch] | None = [] if keep_batches else None
        self.requests = 0
        # What each variant's collector says it runs: (NAME@VERSION, the bytes' sha256).
        self.pipelines: dict[tuple[str, str], tuple[str, str]] = {}
        self._arrived = asyncio.Condition()
        self._server: _Quiet | None = None
        self._task: asyncio.Task[None] | None = None

    def window(self, experiment: str, variant: str) -> LiveCounts:
        return self.windows[(experiment, variant)]

    async def record(self, experiment: str, variant: str, batch: Batch, at: int) -> None:
        """Count a variant's batch as arriving at ``at`` (ns since the epoch)."""
        batch = unlabelled(batch)
        # Hashed and counted once, for the live counts and the recorder alike.
        series, datapoints = series_hashes(batch), datapoint_count(batch)
        self.windows[(experiment, variant)].add(series, datapoints)
        if self.recorder is not None:
            await self.recorder.record(
                experiment, variant, batch, at, series=series, datapoints=datapoints
            )
        if self.observed is not None:
            await self.observed.record(experiment, variant, batch, at)
        if self.batches is not None:
            self.batches.append(batch)

    async def notify(self) -> None:
        async with self._arrived:
            self._arrived.notify_all()

    def forget(self, experiment: str, variant: str) -> None:
        """Drop what a torn-down variant sent; its results are in the log by then."""
        self.windows.pop((experiment, variant), None)
        if self.recorder is not None:
            self.recorder.forget(experiment, variant)

    async def wait_for_datapoints(
        self, experiment: str, variant: str, count: int, *, within: float
    ) -> None:
        """Return once ``count`` datapoints of the variant have arrived; TimeoutError after ``within``."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(
                    lambda: self.window(experiment, variant).datapoints >= count
                ),
                within,
            )

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _app(self) -> Litestar:
        @post("/v1/metrics", status_code=200)
        async def metrics(request: Request[Any, Any, Any]) -> bytes:
            try:
                batch = decode_body(await request.body(), request.headers.get("content-encoding"))
            except ValueError as exc:
                raise HTTPException(status_code=400, detail=str(exc)) from None
            at = time.time_ns()
            self.requests += 1
            experiment = request.headers.get(EXPERIMENT_HEADER)
            if experiment is None and request.headers.get(LOAD_HEADER) is not None:
                for listener in self.load_listeners:
                    await listener([batch], at)
                return b""
            variant = request.headers.get(VARIANT_HEADER, "")
            if PIPELINE_SHA256_HEADER in request.headers:
                self.pipelines[(experiment or "", variant)] = (
                    request.headers.get(PIPELINE_HEADER, ""),
                    request.headers[PIPELINE_SHA256_HEADER],
                )
            await self.record(experiment or "", variant, batch, at)
            await self.notify()
            return b""

        return Litestar([metrics])

    async def start(self) -> None:
        self._server = _Quiet(
            uvicorn.Config(self._app(), host=self.host, port=self.port, log_level="warning")
        )
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
