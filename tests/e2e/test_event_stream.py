"""The log as Server-Sent Events from a real Phoenix: a client that drops mid-stream and comes
back with Last-Event-ID misses nothing and sees nothing twice; one stream can be followed alone;
idle streams get keep-alives; the stream is authenticated like every route.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from gateway.runtime import Runtime
from tests.e2e.experiments import send, spec
from tests.waiting import eventually

STREAM = "/api/v1/events/stream"


@dataclass
class Message:
    id: int | None = None
    event: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


async def messages(response: httpx.Response) -> AsyncIterator[Message]:
    """The SSE messages of a response as they arrive (a blank line ends each)."""
    current = Message()
    async for line in response.aiter_lines():
        if line == "":
            yield current
            current = Message()
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            current.fields.append(name)
            if name == "id":
                current.id = int(value)
            elif name == "event":
                current.event = value
            elif name == "data":
                current.data += value


async def read_until(
    api: httpx.AsyncClient, count: int, *, headers: dict[str, str] | None = None, **params: Any
) -> tuple[list[Message], list[str]]:
    """Connect, take ``count`` events (and the comments between them), then hang up."""
    events: list[Message] = []
    comments: list[str] = []
    async with api.stream("GET", STREAM, params=params, headers=headers or {}) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        async for message in messages(response):
            comments += message.comments
            if message.id is not None:
                events.append(message)
            if len(events) == count:
                break
    return events, comments


async def created(runtime: Runtime, name: str) -> str:
    experiment_id = str(uuid4())
    await send(runtime, "CreateExperiment", {**spec(name=name), "experiment_id": experiment_id})
    # In the global log, not only in its stream: the log is read below the oldest running
    # transaction (ADR 0013), a moment after the append is visible in its stream.
    await eventually(
        lambda: runtime.store.read_all(0, limit=10_000),
        until=lambda log: any(e.stream_id == f"experiment-{experiment_id}" for e in log),
        deadline=20,
    )
    return experiment_id


async def test_a_client_that_reconnects_with_last_event_id_misses_nothing_and_sees_nothing_twice(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    await created(runtime, "before")
    await created(runtime, "before too")
    before = await runtime.store.read_all(0, limit=10_000)

    first, _ = await read_until(api, len(before) - 1)  # dropped one event short of the head
    await created(runtime, "while away")
    everything = await runtime.store.read_all(0, limit=10_000)
    assert len(everything) > len(before)

    resumed, _ = await read_until(
        api, len(everything) - len(first), headers={"Last-Event-ID": str(first[-1].id)}
    )

    seen = [m.id for m in first + resumed]
    assert seen == [e.position for e in everything]
    assert [m.event for m in first + resumed] == [e.type for e in everything]
    last = resumed[-1]
    assert '"stream_id":"experiment-' in last.data and f'"position":{last.id}' in last.data


async def test_one_experiment_s_stream_can_be_followed_alone_and_idles_with_keep_alives(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    mine = await created(runtime, "mine")
    await created(runtime, "another")
    own = await runtime.store.read_stream(f"experiment-{mine}")

    events, _ = await read_until(api, len(own), stream=f"experiment-{mine}")
    assert [m.id for m in events] == [e.position for e in own]

    # Caught up: nothing more comes but keep-alives, until an event of its own does.
    comments: list[str] = []
    with contextlib.suppress(TimeoutError):
        async with api.stream(
            "GET",
            STREAM,
            params={"stream": f"experiment-{mine}", "heartbeat": 0.5},
            headers={"Last-Event-ID": str(events[-1].id)},
            timeout=httpx.Timeout(10, read=3),
        ) as response:
            async for message in messages(response):
                # Comments only: a browser's EventSource dispatches no event for them.
                assert message.fields in ([], ["retry"]), message
                comments += message.comments
                if comments.count("keep-alive") >= 2:
                    break
    assert comments.count("keep-alive") >= 2, comments


async def test_the_stream_asks_for_a_token_and_a_position_it_can_read(
    runtime: Runtime, api: httpx.AsyncClient
) -> None:
    assert runtime.api_url is not None
    async with httpx.AsyncClient(base_url=runtime.api_url) as anonymous:
        refused = await anonymous.get(STREAM)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    garbled = await api.get(STREAM, headers={"Last-Event-ID": "yesterday"})
    assert garbled.status_code == 400
    assert "is not a position of the log" in garbled.json()["detail"]
