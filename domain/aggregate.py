"""What the command handler needs to know of an aggregate type, independent of which it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.context import Context
from domain.messages import Command, Event


@dataclass(frozen=True)
class AggregateType:
    """An aggregate: its commands and events, how to find its stream, fold and decide."""

    name: str
    commands: tuple[type[Command], ...]
    events: tuple[type[Event], ...]
    # The command with any server-assigned fields filled in (for example a derived id).
    prepare: Callable[[Command, UUID], Command]
    stream_id: Callable[[Command], str]
    apply: Callable[[Any, Event], Any]
    decide: Callable[[Any, Command, Context], list[Event]]
