"""Re-drive a dead letter: publish it again to its subject, and record that it was."""

from __future__ import annotations

from collections.abc import Callable

from adapters.nats.consumer import (
    AUTHORIZATION,
    DeadLetter,
    DeadLetterStore,
    MessageBus,
    kept_headers,
)
from adapters.nats.streams import COMMANDS, EVENTS
from domain.catalog import COMMAND_TYPES
from domain.identity import Role


def needed_role(letter: DeadLetter) -> Role | None:
    """The role a dead-lettered command's sender needs (None for an event, or no known command)."""
    if not letter.subject.startswith("phoenix.cmd."):
        return None
    found = COMMAND_TYPES.get(letter.subject.rsplit(".", 1)[-1])
    return found[0].sent_by if found else None


async def redrive(
    letters: DeadLetterStore,
    bus: MessageBus,
    dead_letter_id: int,
    *,
    actor: str,
    token_for: Callable[[DeadLetter], str | None] = lambda _: None,
) -> bool:
    """True if it was sent again; false if it does not exist or was re-driven already.

    The sender's token was not kept with the letter: a command goes again with the token
    ``token_for`` gives (the re-driving admin's, or the service's on the admin's behalf), and the
    command worker decides it as that identity.
    """
    letter = await letters.get(dead_letter_id)
    if letter is None or letter.redriven_at is not None:
        return False
    headers = kept_headers(letter.headers)
    # A new message id, or JetStream would drop it as a duplicate of the original.
    headers["Nats-Msg-Id"] = f"{letter.message_id or 'dead-letter'}:redrive:{dead_letter_id}"
    headers["Phoenix-Redriven-From"] = str(dead_letter_id)
    stream = COMMANDS if letter.subject.startswith("phoenix.cmd.") else EVENTS
    # Only a command carries a token: an event goes to PHOENIX_EVENTS, which subscribers read.
    token = token_for(letter) if stream == COMMANDS else None
    if token is not None:
        headers[AUTHORIZATION] = f"Bearer {token}"
    # Publish before marking: a crash in between re-sends it (consumers are idempotent)
    # rather than losing it.
    await bus.publish(letter.subject, letter.payload, headers, stream=stream)
    return await letters.mark_redriven(dead_letter_id, actor)
