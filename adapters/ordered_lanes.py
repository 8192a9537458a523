"""Jobs run in parallel unless they share a key; those sharing one run in the order submitted."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


@dataclass(eq=False)
class _Waiting:
    keys: frozenset[str]
    job: Job
    started: bool = False


@dataclass
class OrderedLanes:
    """A job names the keys it touches (for a command: the streams it decides on or reads); it
    starts once every job submitted before it on any of those keys has finished. Submitting is
    synchronous, so the order of ``submit`` calls is the order kept. No deadlock is possible:
    a job waits only for jobs submitted earlier.
    """

    _queues: dict[str, deque[_Waiting]] = field(default_factory=dict)
    _running: set[asyncio.Task[None]] = field(default_factory=set)
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._idle.set()

    def submit(self, keys: Iterable[str], job: Job) -> None:
        waiting = _Waiting(frozenset(keys) or frozenset({""}), job)
        for key in waiting.keys:
            self._queues.setdefault(key, deque()).append(waiting)
        self._idle.clear()
        self._start_if_first(waiting)

    @property
    def pending(self) -> int:
        """Jobs submitted and not yet finished."""
        return len({id(w) for queue in self._queues.values() for w in queue})

    async def drain(self) -> None:
        """Wait until every job submitted so far has finished."""
        await self._idle.wait()

    def _start_if_first(self, waiting: _Waiting) -> None:
        if waiting.started or any(self._queues[k][0] is not waiting for k in waiting.keys):
            return
        waiting.started = True
        task = asyncio.create_task(self._run(waiting))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, waiting: _Waiting) -> None:
        try:
            await waiting.job()
        except Exception:  # a job settles its own failures; this only keeps the lanes moving
            log.exception("a job on lanes %s failed", sorted(waiting.keys))
        finally:
            heads = []
            for key in waiting.keys:
                queue = self._queues[key]
                queue.popleft()
                if queue:
                    heads.append(queue[0])
                else:
                    del self._queues[key]
            for head in heads:
                self._start_if_first(head)
            if not self._queues:
                self._idle.set()
