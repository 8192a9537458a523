"""Send a command on the bus and wait for its recorded outcome: accepted (with events) or rejected."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from adapters.nats.bus import NatsBus
from domain.command_log import command_stream
from domain.messages import CommandEnvelope
from gateway.api_client import NoOutcome
from handlers.ports import EventStore


async def send_and_wait(
    bus: NatsBus, store: EventStore, envelope: CommandEnvelope, *, token: str, wait: float = 30.0
) -> dict[str, Any]:
    """Send with ``token`` on the bus (an in-process program's way in) and wait for the outcome:
    status, and the reason or the stream and its events.
    """
    await bus.send(envelope, token=token)
    deadline = time.monotonic() + wait
    while (handled := await store.handled_command(envelope.command_id)) is None:
        if time.monotonic() > deadline:
            raise NoOutcome(f"no outcome for {envelope.command_id} within {wait:g}s")
        await asyncio.sleep(0.05)
    if handled.outcome == "rejected":
        [rejection] = await store.read_stream(command_stream(envelope.command_id))
        return {
            "command_id": str(envelope.command_id),
            "status": "rejected",
            "reason": rejection.data["reason"],
        }
    events = [
        e
        for e in await store.read_stream(handled.stream_id)
        if e.metadata.command_id == envelope.command_id
    ]
    return {
        "command_id": str(envelope.command_id),
        "status": "accepted",
        "stream_id": handled.stream_id,
        "events": [f"{e.version}:{e.type}" for e in events],
    }
