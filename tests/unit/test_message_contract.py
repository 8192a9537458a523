"""The public message contract: every command and event has a schema, a subject and AsyncAPI."""

from __future__ import annotations

from pathlib import Path

from domain.catalog import COMMAND_TYPES, EVENT_TYPES
from gateway.schemas import asyncapi_document, export, message_schemas


def test_every_command_and_event_has_a_json_schema_naming_its_subject() -> None:
    schemas = message_schemas()
    for name, (_, aggregate) in COMMAND_TYPES.items():
        subject = schemas[f"commands/{name}.json"]["x-subject"]
        assert subject == f"phoenix.cmd.{aggregate.name}.{name}"
    for name in EVENT_TYPES:
        assert schemas[f"events/{name}.json"]["x-subject"].endswith(f".{name}")
    assert "command_id" in schemas["envelopes/command.json"]["required"]


def test_the_asyncapi_document_has_a_channel_for_every_message() -> None:
    document = asyncapi_document()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert "phoenix.cmd.experiment.CreateExperiment" in addresses
    assert "phoenix.evt.experiment.ExperimentCreated" in addresses
    assert "phoenix.cmd.pipeline.RegisterPipeline" in addresses
    assert len(addresses) == len(COMMAND_TYPES) + len(EVENT_TYPES)


def test_export_writes_every_schema_to_disk(tmp_path: Path) -> None:
    written = export(tmp_path)
    assert (tmp_path / "asyncapi.json").exists()
    assert (tmp_path / "openapi.json").exists()
    assert len(written) == len(COMMAND_TYPES) + len(EVENT_TYPES) + 4
