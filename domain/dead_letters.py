"""Events that record a message a consumer gave up on, and its re-drive by an operator."""

from __future__ import annotations

from domain.messages import Event


def dead_letter_stream(dead_letter_id: int) -> str:
    return f"deadletter-{dead_letter_id}"


class MessageDeadLettered(Event):
    """A consumer failed on a message too often (or could never handle it) and set it aside."""

    aggregate = "deadletter"
    dead_letter_id: int
    consumer: str
    subject: str
    message_id: str | None
    error: str
    deliveries: int


class DeadLetterRedriven(Event):
    """An operator sent a dead letter back to its subject to be tried again."""

    aggregate = "deadletter"
    dead_letter_id: int
    redriven_by: str


DEAD_LETTER_EVENTS: tuple[type[Event], ...] = (MessageDeadLettered, DeadLetterRedriven)
