"""One place that runs Phoenix's long-lived loops: each restarted with backoff if it dies, all stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Loop = Callable[[asyncio.Event], Awaitable[None]]
"""A long-lived loop: runs until the event it is given is set."""


class Supervisor:
    def __init__(self, stop: asyncio.Event | None = None, *, max_delay: float = 30.0) -> None:
        self.stop_event = stop or asyncio.Event()
        self.max_delay = max_delay
        self.tasks: dict[str, asyncio.Task[Any]] = {}

    def run(self, name: str, loop: Loop) -> asyncio.Task[Any]:
        task = asyncio.create_task(self._supervise(name, loop), name=name)
        self.tasks[name] = task
        return task

    def adopt(self, name: str, task: asyncio.Task[Any]) -> None:
        """A task that stops on its own when asked (the API server): waited for at stop."""
        self.tasks[name] = task

    async def _supervise(self, name: str, loop: Loop) -> None:
        """Run the loop until stop; if it dies (say, the database restarted), restart it."""
        delay = 0.5
        while not self.stop_event.is_set():
            try:
                await loop(self.stop_event)
                return
            except Exception:
                log.exception("%s stopped with an error; restarting in %.1fs", name, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop_event.wait(), delay)
                delay = min(delay * 2, self.max_delay)

    async def stop(self, *, within: float = 10.0) -> None:
        """Ask every loop to stop and wait for each (at most ``within`` seconds apiece)."""
        self.stop_event.set()
        for task in self.tasks.values():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, within)
