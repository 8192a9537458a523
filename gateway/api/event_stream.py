"""GET /api/v1/events/stream: the global log (or one stream of it) as Server-Sent Events, each
event's id its global position, resumable with Last-Event-ID.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery, HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from domain.messages import RecordedEvent
from gateway.api.dependencies import ApiDeps
from gateway.api.problems import Problem
from handlers.ports import EventStore

PAGE = 200  # events read at a time: what one client holds at most while it is sent them
POLL_S = 0.25  # how often the log is read again once a client has caught up (without the bus)
WOKEN_POLL_S = 2.0  # the same, where the bus wakes the stream when events are appended
RETRY_MS = 1000  # how soon a browser reconnects after losing the stream
StreamId = Annotated[str | None, QueryParameter(max_length=200, description="one stream only")]
Heartbeat = Annotated[
    float, QueryParameter(ge=0.5, le=300, description="seconds between keep-alives")
]
After = Annotated[
    int | None, QueryParameter(ge=0, le=2**62, description="start after this position")
]
Tail = Annotated[
    bool, QueryParameter(description="start at the log's end: only what is appended from now on")
]
LastEventId = Annotated[
    str | None,
    HeaderParameter(name="last-event-id", max_length=32, description="resume after this id"),
]


def _message(event: RecordedEvent) -> ServerSentEventMessage:
    return ServerSentEventMessage(
        data=json.dumps(event.model_dump(mode="json"), separators=(",", ":")),
        event=event.type,
        id=event.position,
    )


async def _global(store: EventStore, after: int) -> AsyncIterator[list[RecordedEvent]]:
    """Pages of the log after ``after``, an empty page whenever it has caught up."""
    while True:
        page = await store.read_all(after_position=after, limit=PAGE)
        if page:
            after = page[-1].position
        yield page


async def _one(store: EventStore, stream_id: str, after: int) -> AsyncIterator[list[RecordedEvent]]:
    """One stream's events past global position ``after`` (read by version: a stream is short)."""
    version = 1
    while True:
        found = await store.read_stream(stream_id, from_version=version)
        if found:
            version = found[-1].version + 1
        yield [e for e in found if e.position > after]


@get("/events/stream", media_type="text/event-stream")
async def event_stream(
    deps: NamedDependency[ApiDeps],
    stream: FromQuery[StreamId] = None,
    after: FromQuery[After] = None,
    heartbeat: FromQuery[Heartbeat] = 15.0,
    tail: FromQuery[Tail] = False,
    last_event_id: LastEventId = None,
) -> ServerSentEvent:
    """The log as it grows: every event (or ``stream``'s) as one message, ``id`` its global
    position, ``event`` its type, ``data`` the event as ``GET /events`` gives it. A client that
    reconnects with ``Last-Event-ID`` (browsers do) gets what followed that id: nothing missed,
    nothing twice. A comment every ``heartbeat`` seconds while nothing happens keeps proxies
    from closing an idle stream. ``tail`` starts at the log's end (a reconnect still resumes
    from its Last-Event-ID). Each client is sent at most one page at a time, at its own pace.
    """
    start = after or 0
    if tail and after is None:
        start = await deps.store.head_position()
    if last_event_id is not None:
        if not last_event_id.strip().isdigit():
            raise Problem(400, f"Last-Event-ID {last_event_id!r} is not a position of the log")
        start = int(last_event_id)
    pages = _one(deps.store, stream, start) if stream else _global(deps.store, start)
    grew = deps.log_grew

    async def messages() -> AsyncIterator[ServerSentEventMessage]:
        yield ServerSentEventMessage(data=None, retry=RETRY_MS, comment="phoenix events")
        quiet_since = time.monotonic()
        ticket = grew.ticket() if grew else None  # taken before each read of the log
        async for page in pages:
            for event in page:
                yield _message(event)
            if page:
                quiet_since = time.monotonic()
                if len(page) == PAGE:
                    ticket = grew.ticket() if grew else None
                    continue  # more is waiting: read it at once
            elif time.monotonic() - quiet_since >= heartbeat:
                yield ServerSentEventMessage(data=None, comment="keep-alive")
                quiet_since = time.monotonic()
            if grew is not None and ticket is not None:
                await grew.wait(ticket, min(WOKEN_POLL_S, heartbeat))
                ticket = grew.ticket()
            else:
                await asyncio.sleep(POLL_S)

    return ServerSentEvent(
        messages(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
