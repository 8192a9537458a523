"""Re-drive a dead letter: publish it again to its subject, and record that it was."""

from __future__ import annotations

from adapters.nats.consumer import DeadLetterStore, MessageBus
from adapters.nats.streams import COMMANDS, EVENTS


async def redrive(
    letters: DeadLetterStore, bus: MessageBus, dead_letter_id: int, *, actor: str
) -> bool:
    """True if it was sent again; false if it does not exist or was re-driven already."""
    letter = await letters.get(dead_letter_id)
    if letter is None or letter.redriven_at is not None:
        return False
    headers = dict(letter.headers)
    # A new message id, or JetStream would drop it as a duplicate of the original.
    headers["Nats-Msg-Id"] = f"{letter.message_id or 'dead-letter'}:redrive:{dead_letter_id}"
    headers["Phoenix-Redriven-From"] = str(dead_letter_id)
    stream = COMMANDS if letter.subject.startswith("phoenix.cmd.") else EVENTS
    # Publish before marking: a crash in between re-sends it (consumers are idempotent)
    # rather than losing it.
    await bus.publish(letter.subject, letter.payload, headers, stream=stream)
    return await letters.mark_redriven(dead_letter_id, actor)
