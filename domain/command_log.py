"""Events that record a command's outcome when it changed no aggregate: rejected, or a no-op."""

from __future__ import annotations

from uuid import UUID

from domain.messages import Event


def command_stream(command_id: UUID) -> str:
    return f"command-{command_id}"


class CommandRejected(Event):
    """A command was refused; ``reason`` is written for the sender."""

    aggregate = "command"
    command_id: UUID
    command_type: str
    reason: str
    target_stream: str | None = None


class CommandHadNoEffect(Event):
    """A command was accepted but the aggregate was already as it asked (an idempotent no-op)."""

    aggregate = "command"
    command_id: UUID
    command_type: str
    target_stream: str


COMMAND_LOG_EVENTS: tuple[type[Event], ...] = (CommandRejected, CommandHadNoEffect)
