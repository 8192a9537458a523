"""Per-interval measurements of each variant, handed to their storage as the intervals close.

The sink hands every batch here. A batch counts in the interval of its experiment's window it
arrived in (the analysis's own cut of the window); an interval is kept in memory while it is
open and merged into the storage (PostgreSQL in Phoenix) once it has closed, so memory holds
only open intervals and a restart of Phoenix loses nothing already measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import numpy as np

from domain.analysis.critical import critical_processes
from domain.telemetry.model import (
    Attributes,
    Batch,
    SeriesKey,
    datapoint_count,
)
from handlers.analysis import window_cut
from handlers.experiment_state import critical_patterns, load
from handlers.lifecycle import SETTLE
from handlers.ports import EventStore

log = logging.getLogger(__name__)

NANOS = 1_000_000_000
GRACE_NS = int(SETTLE.total_seconds() * NANOS)  # late batches: as the window scheduler waits
REFRESH_NS = NANOS // 4  # how often the schedule of an experiment not yet running is read
HOLD_NS = 60 * NANOS  # how long arrivals wait for their experiment's schedule to be known


def series_hash(key: SeriesKey) -> int:
    """A stable 64-bit hash of a series (Python's own hash changes with every process)."""
    return _digest(repr(key))


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def series_hashes(batch: Batch) -> set[int]:
    """``series_hash`` of every series in a batch, the same values for less work: a tuple's
    repr is its items' reprs joined, so a resource's and a metric name's are made once, not
    once per point (the repr of each key was most of the sink's time).
    """
    hashes: set[int] = set()
    for rm in batch:
        resource = "(" + repr(rm.resource) + ", "
        for metric in rm.metrics:
            prefix = resource + repr(metric.name) + ", "
            reprs: dict[object, int] = {}
            for point in metric.points:
                attributes = point.attributes
                found = reprs.get(attributes)
                if found is None:
                    found = reprs[attributes] = _digest(prefix + repr(attributes) + ")")
                hashes.add(found)
    return hashes


@dataclass(frozen=True)
class Schedule:
    """Where an experiment's window lies and how it is cut: the intervals the analysis uses."""

    start: int
    end: int
    count: int
    patterns: tuple[str, ...]

    @property
    def length(self) -> int:
        return max(1, (self.end - self.start) // self.count)

    def index(self, at: int) -> int | None:
        if not self.start <= at < self.end:
            return None
        return min(self.count - 1, (at - self.start) // self.length)

    def closes_at(self, index: int) -> int:
        return self.start + (index + 1) * self.length


@dataclass
class Interval:
    """One variant's measurements in one interval: series hashes, datapoints, critical processes."""

    series: set[int] = field(default_factory=set)
    datapoints: int = 0
    critical: set[Attributes] = field(default_factory=set)

    def merge(self, other: Interval) -> None:
        self.series |= other.series
        self.datapoints += other.datapoints
        self.critical |= other.critical


Key = tuple[UUID, str, int]


@dataclass(frozen=True)
class StoredInterval:
    """A stored interval as a window's count reads it: its series hashes sorted and unique,
    eight bytes each.
    """

    index: int
    series: np.ndarray[Any, np.dtype[np.uint64]]
    datapoints: int
    critical: set[Attributes]


class IntervalStorage(Protocol):
    """Where closed intervals are kept: merged into what is there, read back per variant."""

    async def merge(self, intervals: dict[Key, Interval]) -> None: ...

    async def load(self, experiment_id: UUID, variant: str) -> dict[int, Interval]: ...

    def each(self, experiment_id: UUID, variant: str) -> AsyncIterator[StoredInterval]:
        """A variant's stored intervals one at a time, by index: never all of them at once."""
        ...


def as_array(series: set[int]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """Sorted, as eight-byte values (a negative hash, as tests make, as its two's complement)."""
    return np.array(sorted(x & 0xFFFF_FFFF_FFFF_FFFF for x in series), dtype=np.uint64)


@dataclass(frozen=True)
class WindowCount:
    """A variant's measurements over a stretch cut in slices: distinct series over all of it,
    and each slice's distinct series, datapoints and critical processes.
    """

    series: int
    slices: tuple[tuple[int, int, frozenset[Attributes]], ...]


# Raw series hashes gathered before they are reduced to their distinct values (16 MiB).
COMPACT_AT = 2_000_000


def _distinct(
    values: np.ndarray[Any, np.dtype[np.uint64]],
) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """The distinct values, sorted: a sort and a comparison with the neighbour (numpy 2.4's
    np.unique hashes 64-bit values, forty times slower here on a few hundred thousand).
    """
    if len(values) < 2:
        return values
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class _Fold:
    """Counts a stretch from intervals given in index order, in memory that grows with the
    distinct series, not with the number of intervals: a slice's hashes are reduced to its
    distinct ones, added to the stretch's, and let go when the next slice begins.
    """

    def __init__(self, schedule: Schedule, start: int, end: int, count: int) -> None:
        self.schedule, self.start, self.end, self.count = schedule, start, end, count
        self.length = max(1, (end - start) // count)
        self.distinct = [0] * count
        self.datapoints = [0] * count
        self.critical: list[set[Attributes]] = [set() for _ in range(count)]
        self.total: np.ndarray[Any, np.dtype[np.uint64]] = np.empty(0, dtype=np.uint64)
        self.current: int | None = None
        self.parts: list[np.ndarray[Any, np.dtype[np.uint64]]] = []
        self.gathered = 0

    def add(self, interval: StoredInterval) -> None:
        begins = self.schedule.start + interval.index * self.schedule.length
        if not self.start <= begins < self.end:
            return
        slot = min(self.count - 1, (begins - self.start) // self.length)
        if slot != self.current:
            self._close()
            self.current = slot
        self.parts.append(interval.series)
        self.gathered += len(interval.series)
        if self.gathered > COMPACT_AT:
            self.parts = [_distinct(np.concatenate(self.parts))]
            self.gathered = len(self.parts[0])
        self.datapoints[slot] += interval.datapoints
        self.critical[slot] |= interval.critical

    def _close(self) -> None:
        if self.current is None or not self.parts:
            return
        distinct = _distinct(np.concatenate(self.parts))
        self.distinct[self.current] = len(distinct)
        self.total = _distinct(np.concatenate((self.total, distinct)))
        self.parts, self.gathered = [], 0

    def result(self) -> WindowCount:
        self._close()
        return WindowCount(
            series=len(self.total),
            slices=tuple(
                (self.distinct[i], self.datapoints[i], frozenset(self.critical[i]))
                for i in range(self.count)
            ),
        )


@dataclass(frozen=True)
class _Arrival:
    """A batch reduced to what the measurements need, while its experiment's schedule is read."""

    variant: str
    at: int
    series: set[int]
    datapoints: int
    resources: frozenset[Attributes]


def nanos(at: datetime) -> int:
    """A timestamp in nanoseconds, at microsecond precision (as stored datetimes have)."""
    return int(at.timestamp() * 1_000_000) * 1000


class IntervalRecorder:
    """Accumulates batches per (experiment, variant, interval); flushes closed intervals."""

    def __init__(
        self, store: EventStore, storage: IntervalStorage, *, flush_every: float = 0.5
    ) -> None:
        self.store = store
        self.storage = storage
        self.flush_every = flush_every
        self.open: dict[Key, Interval] = {}
        self._schedules: dict[UUID, Schedule | None] = {}
        self._looked_at: dict[UUID, int] = {}
        self._held: dict[UUID, list[_Arrival]] = {}
        self._lock = asyncio.Lock()

    async def schedule(self, experiment_id: UUID) -> Schedule | None:
        """The experiment's schedule once it runs (read from its stream, then kept)."""
        known = self._schedules.get(experiment_id)
        if known is not None:
            return known
        now = time.time_ns()
        if now - self._looked_at.get(experiment_id, 0) < REFRESH_NS:
            return None
        self._looked_at[experiment_id] = now
        try:
            state = await load(self.store, experiment_id)
        except LookupError:
            return None
        if state.started_at is None or state.window_ends_at is None:
            return None
        count, _ = window_cut(state)
        found = Schedule(
            nanos(state.started_at),
            nanos(state.window_ends_at),
            count,
            critical_patterns(state.spec),
        )
        self._schedules[experiment_id] = found
        return found

    async def record(
        self,
        experiment: str,
        variant: str,
        batch: Batch,
        at: int,
        *,
        series: set[int] | None = None,
        datapoints: int | None = None,
    ) -> None:
        """Count a batch that arrived at ``at`` (ns): in its interval, if within the window.
        ``series`` and ``datapoints``, when the caller has them, are the batch's
        ``series_hashes`` and ``datapoint_count``.
        """
        try:
            experiment_id = UUID(experiment)
        except ValueError:
            return  # not an experiment's (a hand-run collector): nothing to measure
        arrival = _Arrival(
            variant,
            at,
            series_hashes(batch) if series is None else series,
            datapoint_count(batch) if datapoints is None else datapoints,
            frozenset(rm.resource for rm in batch),
        )
        held = self._held.setdefault(experiment_id, [])
        held.append(arrival)
        while held[0].at < at - HOLD_NS:
            held.pop(0)
        try:
            await self._drain(experiment_id)
        except Exception as exc:  # the store cannot be read: the arrival waits with the held
            log.warning("experiment %s: its schedule cannot be read now (%s)", experiment, exc)

    async def _drain(self, experiment_id: UUID) -> None:
        """Count what arrived for the experiment, once its schedule is known (until then, an
        arrival is held: a window may have begun a moment before the schedule was read).
        """
        schedule = await self.schedule(experiment_id)
        if schedule is not None:
            for arrival in self._held.pop(experiment_id, []):
                self._count(experiment_id, schedule, arrival)

    def _count(self, experiment_id: UUID, schedule: Schedule, arrival: _Arrival) -> None:
        index = schedule.index(arrival.at)
        if index is None:
            return
        piece = Interval(
            series=arrival.series,
            datapoints=arrival.datapoints,
            critical=critical_processes(schedule.patterns).among(arrival.resources),
        )
        self.open.setdefault((experiment_id, arrival.variant, index), Interval()).merge(piece)

    async def flush(self, *, everything: bool = False) -> int:
        """Write the intervals that have closed (or, with ``everything``, all); returns how many."""
        for experiment_id in list(self._held):
            await self._drain(experiment_id)
        async with self._lock:
            now = time.time_ns()
            due = [
                key
                for key in self.open
                if everything
                or (s := self._schedules.get(key[0])) is None
                or now >= s.closes_at(key[2]) + GRACE_NS
            ]
            if not due:
                return 0
            # Taken out before the write: what arrives or is forgotten meanwhile (a teardown's
            # `forget`, a late batch) touches the open intervals only, never these.
            taken = {key: self.open.pop(key) for key in due}
            try:
                await self.storage.merge(taken)
            except BaseException:
                for key, interval in taken.items():  # not written: open again, for the next try
                    self.open.setdefault(key, Interval()).merge(interval)
                raise
            return len(due)

    async def run(self, stop: asyncio.Event) -> None:
        """Flush closed intervals until ``stop``; then flush what is open, so a clean stop keeps it."""
        try:
            while not stop.is_set():
                await self.flush()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.flush_every)
        finally:
            await self.flush(everything=True)

    async def intervals(self, experiment_id: UUID, variant: str) -> dict[int, Interval]:
        """Everything measured for a variant so far, stored and open, by interval index."""
        await self._drain(experiment_id)
        # Read under the flush's lock: an interval being written is in neither the storage nor
        # the open set until the write ends, and a read in between would see a hole (the
        # guardrail took one for a lost critical process).
        async with self._lock:
            found = await self.storage.load(experiment_id, variant)
            for index, interval in self._open_of(experiment_id, variant):
                found.setdefault(index, Interval()).merge(interval)
        return found

    async def count(
        self, experiment_id: UUID, variant: str, *, start: int, end: int, slices: int
    ) -> WindowCount | None:
        """A variant's measurements over [start, end) cut in ``slices`` (each interval in the
        slice holding its start), stored and open alike; None before the schedule is known.
        Read one interval at a time: memory follows the distinct series, not the window's
        length (all of a long window's intervals as sets took gigabytes at a thousand hosts).
        """
        schedule = await self.schedule(experiment_id)
        if schedule is None:
            return None
        await self._drain(experiment_id)
        fold = _Fold(schedule, start, end, slices)
        async with self._lock:  # as in intervals(): no hole while a flush writes
            pending = sorted(self._open_of(experiment_id, variant))
            async for stored in self.storage.each(experiment_id, variant):
                while pending and pending[0][0] < stored.index:
                    fold.add(_stored(*pending.pop(0)))
                if pending and pending[0][0] == stored.index:
                    fold.add(_combined(stored, pending.pop(0)[1]))
                else:
                    fold.add(stored)
            for index, interval in pending:
                fold.add(_stored(index, interval))
        return fold.result()

    def _open_of(self, experiment_id: UUID, variant: str) -> list[tuple[int, Interval]]:
        """A variant's intervals not yet written, by index."""
        return [
            (index, interval)
            for (xid, name, index), interval in self.open.items()
            if xid == experiment_id and name == variant
        ]

    def forget(self, experiment: str, variant: str) -> None:
        """Drop what is open for a torn-down variant (its window is over by then)."""
        with contextlib.suppress(ValueError):
            experiment_id = UUID(experiment)
            for key in [k for k in self.open if k[0] == experiment_id and k[1] == variant]:
                del self.open[key]
            self._held.pop(experiment_id, None)


def _stored(index: int, interval: Interval) -> StoredInterval:
    return StoredInterval(
        index, as_array(interval.series), interval.datapoints, set(interval.critical)
    )


def _combined(stored: StoredInterval, extra: Interval) -> StoredInterval:
    return StoredInterval(
        stored.index,
        _distinct(np.concatenate((stored.series, as_array(extra.series)))),
        stored.datapoints + extra.datapoints,
        stored.critical | extra.critical,
    )
