"""What a baseline emitted is kept, on disk, for recommendations: its own, in its window, bounded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.measured_intervals import nanos
from adapters.memory.event_store import InMemoryEventStore
from adapters.observed_baseline import ObservedBaselines
from domain.messages import RecordedEvent
from simulator.fleet import Fleet
from tests.contracts.experiments import VARIANTS, experiment

AT = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)  # any date: nothing here reads the wall clock
SECOND = 1_000_000_000


async def test_the_baseline_s_batches_in_its_window_come_back_as_scrapes_per_interval(
    tmp_path: Path,
) -> None:
    store = InMemoryEventStore()
    xid = await experiment(store, at=AT, seconds=60)
    kept = ObservedBaselines(tmp_path, store)
    start = nanos(AT)
    fleet = Fleet("realistic", 2, seed=1, start=start)
    scrapes = list(fleet.run(duration_s=30, interval_s=10))  # at 10, 20 and 30 s
    for at, batches in scrapes:
        for offset, batch in enumerate(batches):  # each host's batch a moment apart
            arrived = at + offset * SECOND // 10
            await kept.record(str(xid), VARIANTS[0], batch, arrived)
            await kept.record(str(xid), VARIANTS[1], batch, arrived)  # a candidate's: not kept
    await kept.record(str(xid), VARIANTS[0], scrapes[0][1][0], start - SECOND)  # before the window
    await kept.record("not-an-experiment", VARIANTS[0], scrapes[0][1][0], start)

    found = await ObservedBaselines(tmp_path, store).read(xid, 10 * SECOND)  # after a restart
    assert found is not None and not found.truncated
    assert [t for t, _ in found.scrapes] == [start + k * 10 * SECOND for k in (1, 2, 3)]
    assert [b for _, batches in found.scrapes for b in batches] == [
        b for _, batches in scrapes for b in batches
    ]


async def test_past_its_bound_nothing_more_is_kept_and_the_reader_is_told(tmp_path: Path) -> None:
    store = InMemoryEventStore()
    xid = await experiment(store, at=AT, seconds=60)
    kept = ObservedBaselines(tmp_path, store, max_bytes=20_000)
    fleet = Fleet("realistic", 1, seed=1, start=nanos(AT))
    for at, batches in fleet.run(duration_s=50, interval_s=10):
        await kept.record(str(xid), VARIANTS[0], batches[0], at)
    found = await kept.read(xid, 10 * SECOND)
    assert found is not None and found.truncated
    assert len(found.scrapes) == 2  # of five, about 7 kB each
    assert kept.path(xid).stat().st_size <= 20_000


async def test_a_frame_cut_short_by_a_crash_is_left_out_and_the_rest_read(tmp_path: Path) -> None:
    store = InMemoryEventStore()
    xid = await experiment(store, at=AT, seconds=60)
    kept = ObservedBaselines(tmp_path, store)
    fleet = Fleet("realistic", 1, seed=1, start=nanos(AT))
    for at, batches in fleet.run(duration_s=20, interval_s=10):
        await kept.record(str(xid), VARIANTS[0], batches[0], at)
    whole = kept.path(xid).read_bytes()
    kept.path(xid).write_bytes(whole[:-10])
    found = await kept.read(xid, 10 * SECOND)
    assert found is not None and len(found.scrapes) == 1


async def test_an_experiment_of_which_nothing_was_kept_reads_as_none(tmp_path: Path) -> None:
    store = InMemoryEventStore()
    xid = await experiment(store, at=AT, seconds=60)
    assert await ObservedBaselines(tmp_path, store).read(xid, 10 * SECOND) is None


class StoreThatGoesDown(InMemoryEventStore):
    """A store whose stream reads fail while it is told it is down (a database gone away)."""

    down = False

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]:
        if self.down:
            raise ConnectionRefusedError("the database is down")
        return await super().read_stream(stream_id, from_version)


async def test_a_batch_arriving_while_the_store_cannot_be_read_is_held_and_kept_after(
    tmp_path: Path,
) -> None:
    store = StoreThatGoesDown()
    xid = await experiment(store, at=AT, seconds=60)
    kept = ObservedBaselines(tmp_path, store)
    fleet = Fleet("realistic", 1, seed=1, start=nanos(AT))
    scrapes = list(fleet.run(duration_s=20, interval_s=10))
    [(first, [held]), (second, [then])] = scrapes
    store.down = True
    await kept.record(str(xid), VARIANTS[0], held, first)  # raises nothing: the batch is held
    store.down = False
    await kept.record(str(xid), VARIANTS[0], then, second)

    found = await kept.read(xid, 10 * SECOND)
    assert found is not None
    assert [b for _, batches in found.scrapes for b in batches] == [b[0] for _, b in scrapes]


async def test_batches_held_past_a_minute_are_let_go_and_the_reader_told(tmp_path: Path) -> None:
    store = StoreThatGoesDown()
    xid = await experiment(store, at=AT, seconds=600)
    other = await experiment(store, at=AT, seconds=600)
    kept = ObservedBaselines(tmp_path, store)
    fleet = Fleet("realistic", 1, seed=1, start=nanos(AT))
    [(first, [batch])] = list(fleet.run(duration_s=10, interval_s=10))
    store.down = True
    await kept.record(str(xid), VARIANTS[0], batch, first)  # held: the store cannot be read
    store.down = False
    # Another experiment's batch, two minutes on: the first one's is let go, not held for ever.
    await kept.record(str(other), VARIANTS[0], batch, first + 120 * SECOND)
    assert xid not in kept._held
    assert kept.path(xid).with_suffix(".truncated").exists()
    assert not kept.path(other).with_suffix(".truncated").exists()
