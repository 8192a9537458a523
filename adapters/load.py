"""Simulated load on a timer: the fleet is scraped every interval and the batches handed on."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable

from domain.telemetry.model import Batch
from simulator.fleet import Fleet

Publish = Callable[[list[Batch], int], Awaitable[None]]
# Given the fleet, the interval's start (ns) and its length (s): scrapes it as it likes.
ScrapeEach = Callable[[Fleet, int, float], Awaitable[object]]


class LoadGenerator:
    """Every interval, on the wall clock: scrapes ``fleet`` once and publishes the scrape, or
    (``each``) lets each consumer scrape it at its own moment of the interval.
    """

    def __init__(
        self,
        fleet: Fleet,
        interval_s: float,
        publish: Publish | None = None,
        *,
        each: ScrapeEach | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("the scrape interval must be positive")
        if (publish is None) == (each is None):
            raise ValueError("give either publish or each")
        self.fleet, self.interval_s, self.publish, self.each = fleet, interval_s, publish, each
        self.scrapes = 0

    async def tick(self) -> None:
        at = time.time_ns()
        if self.each is not None:
            await self.each(self.fleet, at, self.interval_s)
        else:
            assert self.publish is not None
            batches = await asyncio.to_thread(self.fleet.scrape, at)
            await self.publish(batches, at)
        self.scrapes += 1

    async def run(self, stop: asyncio.Event) -> None:
        next_at = time.monotonic()
        while not stop.is_set():
            began = time.monotonic()
            await self.tick()
            next_at = next_tick(next_at, began, self.interval_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.monotonic()))


def next_tick(due: float, began: float, interval_s: float) -> float:
    """When the tick after the one ``due`` (which began at ``began``) is: the next on the grid
    at least half an interval after ``began``. Ticks a slow one overran are dropped, as a
    collector's ticker drops them, never run back to back: two scrapes of a host closer than
    half an interval would give a rolled-up series one aligned timestamp twice, and a
    Prometheus refuses the whole request that carries the second (docs/pipelines.md).
    """
    following = due + interval_s
    if following < began + interval_s / 2:
        following += math.ceil((began + interval_s / 2 - following) / interval_s) * interval_s
    return following
