"""A loop that runs one step every tick until asked to stop: the schedulers' shared heartbeat."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


async def every(tick: float, stop: asyncio.Event, step: Callable[[], Awaitable[object]]) -> None:
    """Run ``step``, wait ``tick`` seconds (or until ``stop``), and again, until ``stop`` is set."""
    while not stop.is_set():
        await step()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), tick)
