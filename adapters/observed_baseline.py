"""What each experiment's baseline emitted during its window, kept on disk for recommendations.

Measurements keep counts; a recommendation needs the telemetry itself (which processes, which
series, how much CPU), so the baseline's batches are appended as they arrive, one file per
experiment under ``<data dir>/observed``: frames of (arrival time in ns, length, the batch as
an OTLP protobuf request compressed with zlib). Only the baseline's, only inside the window,
and at most ``max_bytes`` an experiment (what does not fit is not kept, and the reader is told).
"""

from __future__ import annotations

import asyncio
import logging
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from adapters.measured_intervals import HOLD_NS, nanos
from domain.telemetry.model import Batch
from handlers.experiment_state import load
from handlers.ports import EventStore
from simulator.otlp import decode_body, encode

log = logging.getLogger(__name__)

FRAME = struct.Struct(">QI")  # arrival time (ns), length of what follows
MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Kept:
    """Whose batches to keep for an experiment: its baseline's, within its window."""

    baseline: str
    start: int
    end: int


@dataclass(frozen=True)
class Observed:
    """What was kept of an experiment's baseline: its scrapes, and whether some did not fit."""

    scrapes: list[tuple[int, list[Batch]]]
    truncated: bool


class ObservedBaselines:
    """Appends baselines' batches as the sink hands them over; reads them back per experiment."""

    def __init__(self, directory: Path, store: EventStore, *, max_bytes: int = MAX_BYTES) -> None:
        self.directory = directory
        self.store = store
        self.max_bytes = max_bytes
        self._kept: dict[UUID, Kept | None] = {}
        self._full: set[UUID] = set()
        # Per experiment, while its schedule cannot be read: (variant, arrival, batch).
        self._held: dict[UUID, list[tuple[str, int, Batch]]] = {}

    def path(self, experiment_id: UUID) -> Path:
        return self.directory / f"{experiment_id}.frames"

    async def _which(self, experiment_id: UUID) -> Kept | None:
        known = self._kept.get(experiment_id)
        if known is not None:
            return known
        try:
            state = await load(self.store, experiment_id)
        except LookupError:
            return None
        if state.started_at is None or state.window_ends_at is None:
            return None  # not running yet: asked again on the next batch
        found = Kept(state.spec.baseline.name, nanos(state.started_at), nanos(state.window_ends_at))
        self._kept[experiment_id] = found
        return found

    async def record(self, experiment: str, variant: str, batch: Batch, at: int) -> None:
        """Keep the batch if it is the baseline's, within the window, and there is room."""
        try:
            experiment_id = UUID(experiment)
        except ValueError:
            return
        held = self._held.setdefault(experiment_id, [])  # until its schedule is read
        held.append((variant, at, batch))
        self._let_go(at)
        try:
            kept = await self._which(experiment_id)
        except Exception as exc:  # the store cannot be read now: the batch waits with the held
            log.warning("experiment %s: its schedule cannot be read now (%s)", experiment, exc)
            return
        for whose, arrived, held_batch in self._held.pop(experiment_id, []):
            await self._keep(experiment_id, kept, whose, arrived, held_batch)

    async def _keep(
        self, experiment_id: UUID, kept: Kept | None, variant: str, at: int, batch: Batch
    ) -> None:
        if kept is None or variant != kept.baseline or not kept.start <= at < kept.end:
            return
        if experiment_id in self._full:
            return
        # Encoding and compressing cost milliseconds a batch: off the event loop, which times
        # the collectors' scrapes under the local deployer.
        await asyncio.to_thread(self._append, experiment_id, at, batch)

    def _let_go(self, now: int) -> None:
        """Batches held longer than HOLD_NS (the store could not be read all that while) are
        let go, and the experiment's reader told that some may be missing.
        """
        for experiment_id, held in list(self._held.items()):
            stale = 0
            while stale < len(held) and held[stale][1] < now - HOLD_NS:
                stale += 1
            if not stale:
                continue
            del held[:stale]
            if not held:
                del self._held[experiment_id]
            self._truncated(experiment_id)

    def _truncated(self, experiment_id: UUID) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self.path(experiment_id).with_suffix(".truncated").open("w"):
            pass

    def _append(self, experiment_id: UUID, at: int, batch: Batch) -> None:
        body = zlib.compress(encode(batch).SerializeToString(), 1)
        path = self.path(experiment_id)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        size = path.stat().st_size if path.exists() else 0
        if size + FRAME.size + len(body) > self.max_bytes:
            self._full.add(experiment_id)
            log.warning("kept %d bytes of %s's baseline; the rest is not kept", size, experiment_id)
            self._truncated(experiment_id)
            return
        with path.open("ab") as out:
            out.write(FRAME.pack(at, len(body)) + body)

    async def read(self, experiment_id: UUID, interval_nanos: int) -> Observed | None:
        """The baseline's batches as scrapes, one per collection interval of its window (each
        host's batch of an interval together); None if nothing was kept.
        """
        kept = await self._which(experiment_id)
        path = self.path(experiment_id)
        if kept is None or not path.exists():
            return None
        frames = await asyncio.to_thread(lambda: list(_frames(path.read_bytes())))
        scrapes: dict[int, list[Batch]] = {}
        for at, body in frames:
            index = (at - kept.start) // interval_nanos
            scrapes.setdefault(index, []).append(decode_body(zlib.decompress(body), None))
        return Observed(
            [(kept.start + i * interval_nanos, scrapes[i]) for i in sorted(scrapes)],
            path.with_suffix(".truncated").exists(),
        )


def _frames(data: bytes) -> Iterator[tuple[int, bytes]]:
    offset = 0
    while offset + FRAME.size <= len(data):
        at, length = FRAME.unpack_from(data, offset)
        offset += FRAME.size
        if offset + length > len(data):
            return  # a frame cut short by a crash while it was written: the rest is whole
        yield at, data[offset : offset + length]
        offset += length
