"""The JetStream streams Phoenix uses, created or updated idempotently at start."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

COMMANDS = "PHOENIX_COMMANDS"
EVENTS = "PHOENIX_EVENTS"
COMMAND_SUBJECTS = "phoenix.cmd.>"
EVENT_SUBJECTS = "phoenix.evt.>"

DAY = 24 * 3600


def _stream(name: str, subjects: str, *, max_age: int, duplicate_window: int) -> StreamConfig:
    """A file-backed stream that keeps messages for ``max_age`` seconds, oldest dropped first."""
    return StreamConfig(
        name=name,
        subjects=[subjects],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=max_age,
        duplicate_window=duplicate_window,
    )


def stream_configs() -> list[StreamConfig]:
    # A new config object each call: nats-py mutates the ones it is given.
    return [
        # Commands are deduplicated by the store forever; the bus window only spares work.
        _stream(COMMANDS, COMMAND_SUBJECTS, max_age=7 * DAY, duplicate_window=10 * 60),
        # Long enough for a relay that crashed after publishing to restart and republish.
        _stream(EVENTS, EVENT_SUBJECTS, max_age=30 * DAY, duplicate_window=60 * 60),
    ]


async def ensure_streams(js: JetStreamContext) -> list[str]:
    """Create each stream, or bring an existing one to this config; returns those created."""
    created = []
    for config in stream_configs():
        assert config.name is not None
        try:
            await js.stream_info(config.name)
        except NotFoundError:
            await js.add_stream(config)
            created.append(config.name)
        else:
            await js.update_stream(config)
    return created
