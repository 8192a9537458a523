"""Jobs that share a key run one at a time in the order submitted; others run meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from adapters.ordered_lanes import OrderedLanes


def recorder(
    log: list[str], name: str, gate: asyncio.Event | None = None, ended: asyncio.Event | None = None
) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        log.append(f"{name} starts")
        if gate is not None:
            await gate.wait()
        log.append(f"{name} ends")
        if ended is not None:
            ended.set()

    return job


async def test_jobs_on_one_key_run_in_the_order_submitted_one_at_a_time() -> None:
    lanes, log = OrderedLanes(), list[str]()
    gate = asyncio.Event()
    lanes.submit(["a"], recorder(log, "first", gate))
    lanes.submit(["a"], recorder(log, "second"))
    await asyncio.sleep(0)
    assert log == ["first starts"]
    gate.set()
    await lanes.drain()
    assert log == ["first starts", "first ends", "second starts", "second ends"]


async def test_a_job_on_another_key_runs_while_the_first_waits() -> None:
    lanes, log = OrderedLanes(), list[str]()
    gate = asyncio.Event()
    lanes.submit(["a"], recorder(log, "slow", gate))
    quick_ended = asyncio.Event()
    lanes.submit(["b"], recorder(log, "quick", ended=quick_ended))
    await asyncio.wait_for(quick_ended.wait(), 5)
    assert "slow ends" not in log
    gate.set()
    await lanes.drain()
    assert lanes.pending == 0


async def test_a_job_on_two_keys_waits_for_the_earlier_jobs_on_both() -> None:
    lanes, log = OrderedLanes(), list[str]()
    gate_a, gate_b = asyncio.Event(), asyncio.Event()
    a_ended = asyncio.Event()
    lanes.submit(["a"], recorder(log, "on a", gate_a, a_ended))
    lanes.submit(["b"], recorder(log, "on b", gate_b))
    lanes.submit(["a", "b"], recorder(log, "on both"))
    lanes.submit(["b"], recorder(log, "later on b"))
    gate_a.set()
    await asyncio.wait_for(a_ended.wait(), 5)
    assert "on both starts" not in log
    gate_b.set()
    await lanes.drain()
    assert log.index("on both starts") > log.index("on b ends")
    assert log.index("later on b starts") > log.index("on both ends")


async def test_a_failing_job_does_not_stop_its_lane() -> None:
    lanes, log = OrderedLanes(), list[str]()

    async def fails() -> None:
        raise RuntimeError("boom")

    lanes.submit(["a"], fails)
    lanes.submit(["a"], recorder(log, "next"))
    await asyncio.wait_for(lanes.drain(), 5)
    assert log == ["next starts", "next ends"]
