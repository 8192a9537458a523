"""Base classes and envelopes for commands and events (the public message contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.bounds import MAX_MESSAGE_DEPTH, check_storable
from domain.identity import Role


class Message(BaseModel):
    """A frozen, strictly-shaped payload; unknown fields are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


class Command(Message):
    """The data of a command: what someone asks the system to do."""

    aggregate: ClassVar[str]
    # The role a sender needs. Phoenix's own handlers by default: a new command is closed to
    # people until it says otherwise.
    sent_by: ClassVar[Role] = Role.SERVICE

    def needs(self) -> tuple[str, Role]:
        """What this command asks for and the role that needs: ``sent_by``, unless what it asks
        for needs more (an override needs an admin).
        """
        return self.type_name(), self.sent_by


class Event(Message):
    """The data of an event: something that happened, in the past tense."""

    aggregate: ClassVar[str]


class CommandMetadata(BaseModel):
    """Who sent a command, when, and which conversation it belongs to.

    ``actor`` and ``roles`` are what the sender claims and are never trusted: the command worker
    takes both from the verified token that comes with the command.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str = Field(default="anonymous", min_length=1, max_length=200)
    roles: tuple[str, ...] = ()
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    issued_at: datetime | None = None


class CommandEnvelope(BaseModel):
    """A command as it travels on the bus: id (the dedup key), type, data, metadata."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: UUID
    type: str = Field(min_length=1, max_length=200)
    data: dict[str, Any]
    metadata: CommandMetadata = CommandMetadata()

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, raw: Any) -> Any:
        # Before any field is read: a value nested too deeply would exhaust the validators.
        check_storable(raw, "the command", max_depth=MAX_MESSAGE_DEPTH)
        return raw

    @property
    def correlation_id(self) -> UUID:
        return self.metadata.correlation_id or self.command_id


class EventMetadata(BaseModel):
    """Where an event came from: the command, the conversation, the cause and the actor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: UUID | None = None
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    actor: str = "system"
    occurred_at: datetime


class NewEvent(BaseModel):
    """An event about to be appended: everything but the version and position."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    type: str
    schema_version: int = 1
    data: dict[str, Any]
    metadata: EventMetadata


UNDECODABLE_EVENT = "EventUndecodable"
"""The type a reader gives a stored event it cannot decode: set aside, never a wall across the log."""


class RecordedEvent(BaseModel):
    """An event as the store holds it, with its stream version and global position."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    stream_id: str
    version: int
    position: int
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: EventMetadata

    @property
    def aggregate(self) -> str:
        return self.stream_id.split("-", 1)[0]
