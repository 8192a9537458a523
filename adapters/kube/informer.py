"""List, then watch from the list's resourceVersion with bookmarks, for as long as it runs: what
each object is now is handed on; an expired version lists again; errors back off exponentially.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from adapters.kube.api import Expired, Kind, KubeApi, KubeError, Obj
from adapters.stopping import until_stopped

log = logging.getLogger(__name__)

Handler = Callable[[str, Obj], None]
"""Called with ``ADDED``, ``MODIFIED`` or ``DELETED`` and the object (a re-list's objects are
``ADDED`` again, and what vanished meanwhile is ``DELETED``)."""


def key_of(obj: Obj) -> str:
    metadata = obj["metadata"]
    namespace = metadata.get("namespace")
    return f"{namespace}/{metadata['name']}" if namespace else str(metadata["name"])


@dataclass
class Informer:
    """Keeps ``handler`` told of every object of ``kind`` (in ``namespace``, matching ``labels``)."""

    api: KubeApi
    kind: Kind
    handler: Handler
    namespace: str | None = None
    labels: str | None = None
    watch_seconds: int = 300
    base_delay: float = 0.2
    max_delay: float = 30.0
    synced: asyncio.Event = field(default_factory=asyncio.Event)
    lists: int = 0  # how many times it listed (1 + the re-lists after an expired version)
    known: dict[str, Obj] = field(default_factory=dict)

    async def run(self, stop: asyncio.Event) -> None:
        await until_stopped(self._run(), stop)

    async def _run(self) -> None:
        version: str | None = None
        failures = 0
        while True:
            try:
                if version is None:
                    version = await self._list()
                async for event in self.api.watch(
                    self.kind,
                    version,
                    self.namespace,
                    labels=self.labels,
                    timeout_seconds=self.watch_seconds,
                ):
                    obj = event["object"]
                    version = str(obj["metadata"]["resourceVersion"])
                    failures = 0
                    if event["type"] != "BOOKMARK":
                        self._tell(event["type"], obj)
            except Expired:
                log.info("watch of %s expired at %s; listing again", self.kind.plural, version)
                version = None
            except (KubeError, aiohttp.ClientError, OSError, TimeoutError, ValueError) as error:
                failures += 1
                delay = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
                log.warning(
                    "watch of %s failed (%s); again in %.1fs", self.kind.plural, error, delay
                )
                await asyncio.sleep(delay)

    async def _list(self) -> str:
        items, version = await self.api.list(self.kind, self.namespace, labels=self.labels)
        self.lists += 1
        now = {key_of(item): item for item in items}
        for key in set(self.known) - set(now):
            self._tell("DELETED", self.known[key])
        for item in items:
            self._tell("ADDED", item)
        self.synced.set()
        return version

    def _tell(self, kind: str, obj: Obj) -> None:
        key = key_of(obj)
        if kind == "DELETED":
            self.known.pop(key, None)
        else:
            self.known[key] = obj
        self.handler(kind, obj)
