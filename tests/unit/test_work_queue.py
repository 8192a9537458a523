"""The operator's work queue: one reconcile per key at a time, nothing lost, failures backed off."""

from __future__ import annotations

import asyncio

from adapters.kube.work_queue import WorkQueue


async def test_a_key_added_many_times_while_it_waits_is_reconciled_once() -> None:
    queue = WorkQueue()
    for _ in range(5):
        queue.add("ns/a")
    queue.add("ns/b")

    assert [await queue.get(), await queue.get()] == ["ns/a", "ns/b"]
    assert queue._queue.empty()


async def test_a_key_changed_during_its_reconcile_is_reconciled_again_after_it_not_beside_it() -> (
    None
):
    queue = WorkQueue()
    queue.add("ns/a")
    key = await queue.get()
    queue.add("ns/a")  # changed while being reconciled

    assert queue._queue.empty()  # no second worker may take it now
    queue.done(key)
    assert await asyncio.wait_for(queue.get(), 1) == "ns/a"


async def test_two_workers_never_reconcile_one_key_at_once() -> None:
    queue = WorkQueue()
    stop = asyncio.Event()
    active: set[str] = set()
    overlaps: list[str] = []
    done: list[str] = []

    async def reconcile(key: str) -> None:
        if key in active:
            overlaps.append(key)
        active.add(key)
        await asyncio.sleep(0)  # let the other worker run meanwhile
        queue.add(key)  # a change arrives while it runs
        active.discard(key)
        done.append(key)
        if len(done) >= 20:
            stop.set()

    queue.add("ns/a")
    queue.add("ns/b")
    await asyncio.wait_for(
        asyncio.gather(queue.work(reconcile, stop), queue.work(reconcile, stop)), 5
    )

    assert overlaps == []
    assert {"ns/a", "ns/b"} <= set(done)


async def test_a_failing_key_comes_back_later_each_time_up_to_a_cap() -> None:
    queue = WorkQueue(base=0.1, cap=0.5)

    assert [queue.delay(n) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]


async def test_a_failed_key_is_retried_and_its_failures_forgotten_once_it_succeeds() -> None:
    queue = WorkQueue(base=0.001)
    stop = asyncio.Event()
    attempts: list[int] = []

    async def reconcile(key: str) -> None:
        attempts.append(queue.failures(key))
        if len(attempts) < 3:
            raise RuntimeError("the API server is away")
        stop.set()

    queue.add("ns/a")
    await asyncio.wait_for(queue.work(reconcile, stop), 5)

    assert attempts == [0, 1, 2]
    assert queue.failures("ns/a") == 0
    queue.close()
