"""The interval recorder's flush against what happens while it writes: a variant torn down (its
open intervals forgotten), a batch arriving, the storage failing. Nothing is lost or raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from adapters.measured_intervals import (
    Interval,
    IntervalRecorder,
    Key,
    Schedule,
    StoredInterval,
    as_array,
)
from adapters.memory.event_store import InMemoryEventStore
from domain.messages import RecordedEvent
from domain.telemetry.model import datapoint_count
from simulator.fleet import EPOCH, Fleet


class SlowStorage:
    """Storage whose writes wait until the test lets them finish (or fail)."""

    def __init__(self) -> None:
        self.written: dict[Key, Interval] = {}
        self.writing = asyncio.Event()
        self.go_on = asyncio.Event()
        self.fail = False

    async def merge(self, intervals: dict[Key, Interval]) -> None:
        self.writing.set()
        await self.go_on.wait()
        if self.fail:
            raise ConnectionError("the database went away")
        for key, interval in intervals.items():
            self.written.setdefault(key, Interval()).merge(interval)

    async def load(self, experiment_id: object, variant: str) -> dict[int, Interval]:
        return {
            key[2]: Interval(set(i.series), i.datapoints, set(i.critical))
            for key, i in self.written.items()
            if key[0] == experiment_id and key[1] == variant
        }

    async def each(self, experiment_id: object, variant: str) -> AsyncIterator[StoredInterval]:
        for index, interval in sorted((await self.load(experiment_id, variant)).items()):
            yield StoredInterval(
                index, as_array(interval.series), interval.datapoints, interval.critical
            )


def recorder_with(storage: SlowStorage, *keys: Key) -> IntervalRecorder:
    recorder = IntervalRecorder(InMemoryEventStore(), storage)
    for key in keys:
        recorder.open[key] = Interval(series={hash(key)}, datapoints=10)
    return recorder


async def test_a_variant_forgotten_while_its_intervals_are_written_raises_nothing_and_loses_nothing() -> (
    None
):
    storage = SlowStorage()
    xid = uuid4()
    recorder = recorder_with(storage, (xid, "keeps", 5), (xid, "keeps", 6))
    flushing = asyncio.create_task(recorder.flush(everything=True))
    await storage.writing.wait()
    recorder.forget(str(xid), "keeps")  # its teardown, while the write is under way
    storage.go_on.set()
    assert await flushing == 2
    assert set(storage.written) == {(xid, "keeps", 5), (xid, "keeps", 6)}


async def test_a_batch_arriving_during_the_write_stays_open_for_the_next_flush() -> None:
    storage = SlowStorage()
    key = (uuid4(), "agg", 3)
    recorder = recorder_with(storage, key)
    flushing = asyncio.create_task(recorder.flush(everything=True))
    await storage.writing.wait()
    recorder.open.setdefault(key, Interval()).merge(Interval(series={1}, datapoints=1))
    storage.go_on.set()
    await flushing
    assert recorder.open[key].datapoints == 1  # not lost in the write before it
    assert storage.written[key].datapoints == 10


async def test_intervals_a_failed_write_took_are_open_again_for_the_next_try() -> None:
    storage = SlowStorage()
    storage.fail = True
    storage.go_on.set()
    key = (uuid4(), "agg", 0)
    recorder = recorder_with(storage, key)
    with pytest.raises(ConnectionError):
        await recorder.flush(everything=True)
    assert recorder.open[key].datapoints == 10


async def test_a_read_while_intervals_are_written_sees_them_all() -> None:
    """The guardrail reads a variant's intervals every second while the recorder writes closed
    ones: it must never see an interval missing (it would take it for a lost process).
    """
    storage = SlowStorage()
    xid = uuid4()
    recorder = recorder_with(storage, (xid, "keeps", 0), (xid, "keeps", 1))
    flushing = asyncio.create_task(recorder.flush(everything=True))
    await storage.writing.wait()
    reading = asyncio.create_task(recorder.intervals(xid, "keeps"))
    await asyncio.sleep(0)  # the read starts while the write is under way
    storage.go_on.set()
    await flushing
    assert sorted(await reading) == [0, 1]


async def test_a_count_while_intervals_are_written_counts_them_all() -> None:
    storage = SlowStorage()
    xid = uuid4()
    recorder = recorder_with(storage, (xid, "keeps", 0), (xid, "keeps", 1))
    recorder._schedules[xid] = Schedule(start=0, end=20, count=2, patterns=())
    flushing = asyncio.create_task(recorder.flush(everything=True))
    await storage.writing.wait()
    counting = asyncio.create_task(recorder.count(xid, "keeps", start=0, end=20, slices=2))
    await asyncio.sleep(0)  # the count starts while the write is under way
    storage.go_on.set()
    await flushing
    counted = await counting
    assert counted is not None
    assert [datapoints for _, datapoints, _ in counted.slices] == [10, 10]


class StoreThatFailsOnce(InMemoryEventStore):
    """A store whose first stream read fails (a database that went away a moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        if not self.failed:
            self.failed = True
            raise ConnectionRefusedError("the database went away")
        return await super().read_stream(stream_id, from_version)


async def test_a_batch_arriving_while_the_schedule_cannot_be_read_is_held_not_raised() -> None:
    store = StoreThatFailsOnce()
    recorder = IntervalRecorder(store, SlowStorage())
    xid = uuid4()
    batch = Fleet("realistic", 1, seed=2).scrape(EPOCH)[0]
    await recorder.record(str(xid), "baseline", batch, EPOCH)  # raises nothing
    assert store.failed
    assert [a.datapoints for a in recorder._held[xid]] == [datapoint_count(batch)]
