"""A wake-up signal for pollers: set by a notification, awaited with a time limit."""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, within: float) -> bool:
        """Wait until set or until ``within`` seconds pass; true if it was set. Clears it."""
        woken = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), within)
            woken = True
        self._event.clear()
        return woken


async def pause(wakeup: Wakeup, stop: asyncio.Event, within: float) -> None:
    """Return when woken, when stopping, or after ``within`` seconds, whichever comes first."""
    stopper = asyncio.ensure_future(stop.wait())
    waker = asyncio.ensure_future(wakeup.wait(within))
    try:
        await asyncio.wait({stopper, waker}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (stopper, waker):
            task.cancel()


class Broadcast:
    """A wake-up for many waiters: each ``set`` wakes everyone waiting on a ticket taken
    before it. Take the ticket before reading, so a notice that comes between the read and the
    wait is not missed.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ticket(self) -> asyncio.Event:
        return self._event

    def set(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, ticket: asyncio.Event, within: float) -> bool:
        """Until a ``set`` after ``ticket`` was taken, or ``within`` seconds; true if woken."""
        try:
            await asyncio.wait_for(ticket.wait(), within)
        except TimeoutError:
            return False
        return True
