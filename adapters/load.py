"""Simulated load on a timer: the fleet is scraped every interval and the batches handed on."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from domain.telemetry.model import Batch
from simulator.fleet import Fleet

Publish = Callable[[list[Batch], int], Awaitable[None]]


class LoadGenerator:
    """Scrapes ``fleet`` at wall-clock times, one interval apart, and publishes each scrape."""

    def __init__(self, fleet: Fleet, interval_s: float, publish: Publish) -> None:
        if interval_s <= 0:
            raise ValueError("the scrape interval must be positive")
        self.fleet, self.interval_s, self.publish = fleet, interval_s, publish
        self.scrapes = 0

    async def tick(self) -> None:
        at = time.time_ns()
        batches = await asyncio.to_thread(self.fleet.scrape, at)
        await self.publish(batches, at)
        self.scrapes += 1

    async def run(self, stop: asyncio.Event) -> None:
        next_at = time.monotonic()
        while not stop.is_set():
            await self.tick()
            next_at += self.interval_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.monotonic()))
