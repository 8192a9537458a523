"""A window counted one stored interval at a time equals the same window counted from every
interval held in memory at once, stored and open, in any slicing.
"""

from __future__ import annotations

import random
from uuid import uuid4

import pytest

import adapters.measured_intervals as measured
from adapters.measured_intervals import Interval, IntervalRecorder, Schedule
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.measured_intervals import InMemoryIntervals
from domain.telemetry.model import Attributes


def slices(
    stored: dict[int, Interval], schedule: Schedule, start: int, end: int, count: int
) -> list[Interval]:
    """The reference: every interval in memory at once, regrouped into ``count`` equal slices
    of [start, end), each in the slice holding its start (as the analysis counted before it
    read one interval at a time).
    """
    length = max(1, (end - start) // count)
    out = [Interval() for _ in range(count)]
    for index, interval in stored.items():
        begins = schedule.start + index * schedule.length
        if start <= begins < end:
            out[min(count - 1, (begins - start) // length)].merge(interval)
    return out


SCHEDULE = Schedule(start=1_000, end=1_000 + 60 * 10, count=60, patterns=())


async def recorded(seed: int) -> tuple[IntervalRecorder, object]:
    rng = random.Random(seed)
    storage = InMemoryIntervals()
    recorder = IntervalRecorder(InMemoryEventStore(), storage)
    xid = uuid4()
    recorder._schedules[xid] = SCHEDULE
    stable = list(range(500))
    for index in range(SCHEDULE.count):
        churn = {10_000 + index * 7 + k for k in range(rng.randint(0, 40))}
        series = set(rng.sample(stable, 300)) | churn | {2**64 - 1 - index}
        crit: set[Attributes] = {(("pid", str(index % 3)),)} if rng.random() < 0.3 else set()
        piece = Interval(series=series, datapoints=len(series) * 2, critical=crit)
        if index % 9 == 4:  # still open: not flushed yet
            recorder.open[(xid, "v", index)] = piece
        else:
            await storage.merge({(xid, "v", index): piece})
            if index % 11 == 0:  # a late batch for an interval already stored
                recorder.open[(xid, "v", index)] = Interval(series={7_777_777}, datapoints=1)
    return recorder, xid


@pytest.mark.parametrize(("start", "end", "count"), [(1_000, 1_600, 60), (1_000, 1_600, 6),
                                                     (1_100, 1_450, 1), (1_000, 1_600, 4)])  # fmt: skip
async def test_counted_one_at_a_time_equals_counted_all_at_once(
    start: int, end: int, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(measured, "COMPACT_AT", 1_000)  # compacting many times on the way
    recorder, xid = await recorded(20261130)
    counted = await recorder.count(xid, "v", start=start, end=end, slices=count)  # type: ignore[arg-type]
    reference = slices(await recorder.intervals(xid, "v"), SCHEDULE, start, end, count)  # type: ignore[arg-type]
    assert counted is not None
    assert counted.series == len(set().union(*(p.series for p in reference)))
    assert [s for s, _, _ in counted.slices] == [len(p.series) for p in reference]
    assert [d for _, d, _ in counted.slices] == [p.datapoints for p in reference]
    assert [c for _, _, c in counted.slices] == [frozenset(p.critical) for p in reference]


async def test_a_window_before_its_schedule_is_known_counts_nothing() -> None:
    recorder = IntervalRecorder(InMemoryEventStore(), InMemoryIntervals())
    assert await recorder.count(uuid4(), "v", start=0, end=10, slices=1) is None
