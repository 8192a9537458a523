"""LISTEN on a Postgres channel and turn each NOTIFY into a wake-up."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.wakeup import Wakeup


@contextlib.asynccontextmanager
async def listening(engine: AsyncEngine, channel: str, wakeup: Wakeup) -> AsyncIterator[None]:
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None

        def on_notify(*_: Any) -> None:
            wakeup.set()

        await raw.add_listener(channel, on_notify)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await raw.remove_listener(channel, on_notify)
