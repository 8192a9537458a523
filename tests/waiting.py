"""Wait for a condition with a deadline, instead of sleeping and hoping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], *, until: Callable[[T], bool] = bool, deadline: float = 20.0
) -> T:
    """Call ``probe`` until ``until`` holds for its result; fail with the last result at the deadline."""
    end = time.monotonic() + deadline
    delay = 0.01
    while True:
        value = await probe()
        if until(value):
            return value
        if time.monotonic() > end:
            raise AssertionError(f"condition not met within {deadline}s; last value: {value!r}")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.2)
