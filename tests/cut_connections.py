"""A TCP relay on loopback in front of the API whose open connections a test can cut at once.

It plays a network that drops connections: every byte is passed on unchanged until ``cut()``
closes both ends of each connection open at that moment (new ones are relayed as before). It
proves that a client resumes after a dropped connection; nothing about slow or lossy networks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


class CuttableRelay:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.open: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None
        self.cuts = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.open |= {writer, upstream_writer}
        both = [
            asyncio.create_task(_pipe(reader, upstream_writer)),
            asyncio.create_task(_pipe(upstream_reader, writer)),
        ]
        self.tasks.update(both)
        await asyncio.gather(*both, return_exceptions=True)
        self.tasks.difference_update(both)
        self.open -= {writer, upstream_writer}

    async def cut(self) -> int:
        """Close every connection open now; how many there were."""
        cut = list(self.open)
        for writer in cut:
            writer.transport.abort()
        self.cuts += 1
        return len(cut) // 2

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """The relay's base URL while it runs."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            self.server.close()
            await self.cut()
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            await self.server.wait_closed()
