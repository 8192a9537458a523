"""Command handling: load the aggregate, decide, append — once in effect per command id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from pydantic import ValidationError

from domain.catalog import command_type
from domain.command_log import CommandHadNoEffect, CommandRejected, command_stream
from domain.context import Context
from domain.errors import DomainError
from domain.identity import Forbidden, Identity, authorize
from domain.mapper import to_event, to_new_events
from domain.messages import (
    UNDECODABLE_EVENT,
    Command,
    CommandEnvelope,
    Event,
    EventMetadata,
    NewEvent,
    RecordedEvent,
)
from handlers.admission import admit
from handlers.pipeline_refs import PipelineRefs
from handlers.ports import (
    Clock,
    CommandAlreadyHandled,
    ConcurrencyError,
    EventStore,
    HandledCommand,
)

Result = Literal["accepted", "rejected", "duplicate"]

UNAUTHENTICATED = "unauthenticated"  # the actor of a rejection whose sender is not known


@dataclass(frozen=True)
class CommandResult:
    command_id: UUID
    result: Result
    stream_id: str | None = None
    reason: str | None = None
    events: list[RecordedEvent] = field(default_factory=list)


class RetriesExhausted(Exception):
    """The stream kept moving under the command; the message should be redelivered later."""


def describe_validation_error(error: ValidationError, prefix: str = "data") -> str:
    """Pydantic's errors as ``data.field.path: message`` lines a sender can act on."""
    parts = []
    for e in error.errors(include_url=False):
        path = ".".join(str(p) for p in (prefix, *e["loc"]) if p != "") or "(the message)"
        parts.append(f"{path}: {e['msg']}")
    return "; ".join(parts)


class CommandHandler:
    """Turns one command envelope into appended events or a recorded rejection."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        max_attempts: int = 10,
        *,
        admit: Callable[[Command], None] = admit,
        pin: Callable[[Command], Awaitable[Command]] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.max_attempts = max_attempts
        self.admit = admit  # checks beyond the domain's: what is admitted can run
        # What a command names by reference, made exact before it is decided (a registered
        # pipeline's version and hash: handlers.pipeline_refs); it may refuse, as admit does.
        self.pin = pin or PipelineRefs(store)

    async def handle(self, envelope: CommandEnvelope, identity: Identity) -> CommandResult:
        """Decide the command as ``identity`` (verified by the caller: never the metadata's
        claims), who must hold the role the command needs.
        """
        actor = identity.subject
        # No up-front "handled already?" read: the append claims the command id in its own
        # transaction and answers CommandAlreadyHandled, which is rare and cheaper to learn late.
        stream_id: str | None = None
        try:
            model, aggregate = command_type(envelope.type)
            authorize(identity, envelope.type, model.sent_by)
            command = aggregate.prepare(model.model_validate(envelope.data), envelope.command_id)
            stream_id = aggregate.stream_id(command)
            # What it asks may need more than its kind does; that refusal names its stream.
            authorize(identity, *command.needs())
            self.admit(command)
            command = await self.pin(command)
        except ValidationError as exc:
            return await self.reject(envelope, describe_validation_error(exc), actor=actor)
        except Forbidden as exc:
            return await self.reject(envelope, str(exc), stream_id, actor=actor)
        except (DomainError, ValueError) as exc:
            return await self.reject(envelope, str(exc), actor=actor)
        ctx = Context(now=self.clock.now(), actor=actor, roles=identity.role_names)
        for _ in range(self.max_attempts):
            history = await self.store.read_stream(stream_id)
            unreadable = next((e for e in history if e.type == UNDECODABLE_EVENT), None)
            if unreadable is not None:
                reason = (
                    f"{stream_id} holds an event that cannot be read (version "
                    f"{unreadable.version}: {unreadable.data['error']}); it takes no commands"
                )
                return await self.reject(envelope, reason, stream_id, actor=actor)
            state = None
            for recorded in history:
                state = aggregate.apply(state, to_event(recorded))
            try:
                decided = aggregate.decide(state, command, ctx)
            except DomainError as exc:
                return await self.reject(envelope, str(exc), stream_id, actor=actor)
            try:
                if decided:
                    written = await self.store.append(
                        stream_id,
                        len(history),
                        self._new_events(envelope, decided, actor),
                        command=HandledCommand(
                            envelope.command_id, envelope.type, stream_id, "accepted"
                        ),
                    )
                else:
                    written = await self._record_no_effect(envelope, stream_id, actor)
            except ConcurrencyError:
                if await self.store.handled_command(envelope.command_id):
                    return CommandResult(envelope.command_id, "duplicate")
                continue
            except CommandAlreadyHandled:
                return CommandResult(envelope.command_id, "duplicate")
            return CommandResult(envelope.command_id, "accepted", stream_id, events=written)
        raise RetriesExhausted(
            f"{stream_id} kept changing; gave up after {self.max_attempts} tries"
        )

    def _metadata(self, envelope: CommandEnvelope, actor: str) -> EventMetadata:
        return EventMetadata(
            command_id=envelope.command_id,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.command_id,
            actor=actor,
            occurred_at=self.clock.now(),
        )

    def _new_events(
        self, envelope: CommandEnvelope, events: list[Event], actor: str
    ) -> list[NewEvent]:
        return to_new_events(
            events, command_id=envelope.command_id, metadata=self._metadata(envelope, actor)
        )

    async def _record_no_effect(
        self, envelope: CommandEnvelope, stream_id: str, actor: str
    ) -> list[RecordedEvent]:
        event = CommandHadNoEffect(
            command_id=envelope.command_id, command_type=envelope.type, target_stream=stream_id
        )
        return await self.store.append(
            command_stream(envelope.command_id),
            0,
            self._new_events(envelope, [event], actor),
            command=HandledCommand(envelope.command_id, envelope.type, stream_id, "accepted"),
        )

    async def reject(
        self,
        envelope: CommandEnvelope,
        reason: str,
        stream_id: str | None = None,
        *,
        actor: str = UNAUTHENTICATED,
    ) -> CommandResult:
        """Record the command's rejection; ``actor`` is the verified sender, if there is one."""
        event = CommandRejected(
            command_id=envelope.command_id,
            command_type=envelope.type,
            reason=reason.replace("\x00", "\\x00"),  # a reason may quote what was sent
            target_stream=stream_id,
        )
        own_stream = command_stream(envelope.command_id)
        try:
            written = await self.store.append(
                own_stream,
                0,
                self._new_events(envelope, [event], actor),
                command=HandledCommand(envelope.command_id, envelope.type, own_stream, "rejected"),
            )
        except (CommandAlreadyHandled, ConcurrencyError):
            return CommandResult(envelope.command_id, "duplicate")
        return CommandResult(envelope.command_id, "rejected", stream_id, reason, written)
