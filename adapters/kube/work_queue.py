"""Keys of objects to reconcile: one reconcile per key at a time, none lost, failures retried
with exponential backoff (the discipline of client-go's rate-limited work queue).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from adapters.stopping import until_stopped

log = logging.getLogger(__name__)


class WorkQueue:
    """A key added while it waits is queued once; a key added while it is being reconciled is
    reconciled again when that one ends; a failed key comes back after ``base * 2**(n-1)``
    seconds (at most ``cap``) for its n-th failure in a row.
    """

    def __init__(self, *, base: float = 0.05, cap: float = 30.0) -> None:
        self.base, self.cap = base, cap
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._active: set[str] = set()
        self._dirty: set[str] = set()
        self._failures: dict[str, int] = {}
        self._later: dict[str, asyncio.TimerHandle] = {}

    def add(self, key: str) -> None:
        if key in self._active:
            self._dirty.add(key)
        elif key not in self._queued:
            self._queued.add(key)
            self._queue.put_nowait(key)

    async def get(self) -> str:
        key = await self._queue.get()
        self._queued.discard(key)
        self._active.add(key)
        return key

    def done(self, key: str, *, failed: bool = False) -> None:
        self._active.discard(key)
        if failed:
            failures = self._failures.get(key, 0) + 1
            self._failures[key] = failures
            self.add_after(key, self.delay(failures))
        else:
            self._failures.pop(key, None)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def delay(self, failures: int) -> float:
        return min(self.cap, self.base * 2.0 ** (failures - 1))

    def failures(self, key: str) -> int:
        return self._failures.get(key, 0)

    def add_after(self, key: str, delay: float) -> None:
        if key in self._later:
            self._later[key].cancel()

        def due() -> None:
            self._later.pop(key, None)
            self.add(key)

        self._later[key] = asyncio.get_running_loop().call_later(delay, due)

    def close(self) -> None:
        for handle in self._later.values():
            handle.cancel()
        self._later.clear()

    async def work(
        self, reconcile: Callable[[str], Awaitable[float | None]], stop: asyncio.Event
    ) -> None:
        """Reconcile keys until ``stop``; an exception fails the key (logged, retried later), a
        number returned looks at the key again after that many seconds.
        """
        while not stop.is_set():
            key = await until_stopped(self.get(), stop)
            if key is None:
                return
            try:
                again = await reconcile(key)
            except Exception:
                log.exception(
                    "reconciling %s failed; retrying in %.2fs",
                    key,
                    self.delay(self.failures(key) + 1),
                )
                self.done(key, failed=True)
            else:
                self.done(key)
                if again is not None:
                    self.add_after(key, again)
