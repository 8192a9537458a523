"""The public contract: JSON schemas of every command and event, the AsyncAPI document, and the
read API's OpenAPI document (from which the dashboard's typed client is generated).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

from adapters.memory.bus import InMemoryBus
from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.read_model import InMemoryReadModel
from adapters.metrics import Metrics
from adapters.nats.streams import COMMANDS, EVENTS
from domain.catalog import COMMAND_TYPES, EVENT_TYPES, command_subject
from domain.identity import Identity
from domain.messages import CommandEnvelope, RecordedEvent
from gateway.api.app import VERSION, create_app
from gateway.api.dependencies import ApiDeps
from handlers.ports import NotAuthenticated


def message_schemas() -> dict[str, dict[str, Any]]:
    """``commands/<Type>.json`` and ``events/<Type>.json`` documents, by relative path."""
    out: dict[str, dict[str, Any]] = {
        "envelopes/command.json": CommandEnvelope.model_json_schema(),
        "envelopes/event.json": RecordedEvent.model_json_schema(),
    }
    for name, (command, _) in COMMAND_TYPES.items():
        schema = command.model_json_schema()
        schema["x-subject"] = command_subject(name)
        schema["x-schema-version"] = command.schema_version
        out[f"commands/{name}.json"] = schema
    for name, event in EVENT_TYPES.items():
        schema = event.model_json_schema()
        schema["x-subject"] = f"phoenix.evt.{event.aggregate}.{name}"
        schema["x-schema-version"] = event.schema_version
        out[f"events/{name}.json"] = schema
    return out


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI document FastStream generates for Phoenix's subjects and payloads."""
    broker = NatsBroker()
    for name, (command, _) in COMMAND_TYPES.items():
        broker.publisher(
            command_subject(name),
            stream=COMMANDS,
            schema=command,
            title=f"command {name}",
            description=(command.__doc__ or "").strip(),
        )
    for name, event in EVENT_TYPES.items():
        broker.publisher(
            f"phoenix.evt.{event.aggregate}.{name}",
            stream=EVENTS,
            schema=event,
            title=f"event {name}",
            description=(event.__doc__ or "").strip(),
        )
    spec = AsyncAPI(broker, title="Phoenix messages", version=VERSION).to_specification()
    document: dict[str, Any] = json.loads(spec.to_json())
    return document


class _NoTokens:
    """The document needs an app, not a caller: this one trusts no token."""

    async def verify(self, token: str, *, at: datetime | None = None) -> Identity:
        raise NotAuthenticated("no caller is served here")


def openapi_document() -> dict[str, Any]:
    """The read API's OpenAPI document, as a running Phoenix serves it at /schema/openapi.json."""
    store = InMemoryEventStore()
    deps = ApiDeps(
        InMemoryReadModel(store),
        store,
        InMemoryBus(),
        Metrics(),
        _NoTokens(),
        InMemoryDeadLetters(),
    )
    schema = create_app(deps).openapi_schema.to_schema()
    return dict(schema)


def export(directory: Path) -> list[Path]:
    documents = {
        **message_schemas(),
        "asyncapi.json": asyncapi_document(),
        "openapi.json": openapi_document(),
    }
    written = []
    for relative, schema in documents.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, indent=2, sort_keys=True, default=str) + "\n")
        written.append(path)
    return written
