"""What passes creation can run: free-form fields are bounded, template variables are typed and
in bounds, and Phoenix's wiring is Phoenix's alone.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
import yaml
from pydantic import ValidationError

from adapters.memory.event_store import InMemoryEventStore
from domain.bounds import MAX_FREE_FORM_DEPTH, MAX_MESSAGE_DEPTH, depth
from domain.experiment.spec import PipelineRef
from domain.messages import CommandEnvelope
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler
from handlers.config_generation import render_variant
from tests.identities import EVERYONE
from tests.unit.experiment_builders import NOW, create


def nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"a": 1}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def with_candidate_variables(variables: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "x",
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [
            {"name": "agg", "template": "process-aggregated-v1", "variables": variables}
        ],
        "duration_seconds": 600,
    }


async def outcome(data: dict[str, Any]) -> tuple[str, str | None]:
    handler = CommandHandler(InMemoryEventStore(), FixedClock(NOW))
    result = await handler.handle(
        CommandEnvelope(command_id=uuid4(), type="CreateExperiment", data=data), EVERYONE
    )
    return result.result, result.reason


def test_depth_counts_nesting_without_recursing_even_thousands_of_levels_deep() -> None:
    assert depth(1) == 0
    assert depth({"a": [1, {"b": 2}]}) == 3
    assert depth(nested(50_000)) == 50_000


def test_variables_nested_deeper_than_the_bound_are_refused_by_the_schema() -> None:
    create(
        baseline={
            "name": "b",
            "template": "process-baseline-v1",
            "variables": nested(MAX_FREE_FORM_DEPTH),
        }
    )
    with pytest.raises(ValidationError, match="nests 200 levels deep"):
        create(baseline={"name": "b", "template": "process-baseline-v1", "variables": nested(200)})


def test_a_command_nested_deeper_than_a_message_may_be_is_refused_before_its_fields_are_read() -> (
    None
):
    with pytest.raises(ValidationError, match=f"at most {MAX_MESSAGE_DEPTH}"):
        CommandEnvelope(command_id=uuid4(), type="CreateExperiment", data=nested(5_000))


def test_a_nul_anywhere_in_a_command_is_refused_with_its_path() -> None:
    with pytest.raises(ValidationError, match=r"metadata\.actor contains a NUL"):
        CommandEnvelope.model_validate(
            {"command_id": str(uuid4()), "type": "X", "data": {}, "metadata": {"actor": "a\x00b"}}
        )
    with pytest.raises(ValidationError, match=r"data\.name contains a NUL"):
        CommandEnvelope(command_id=uuid4(), type="X", data={"name": "a\x00"})


@pytest.mark.parametrize(
    ("interval", "problem"),
    [
        ("1ns", "1ns is outside 100ms to 1h"),
        ("-10s", "'-10s' is not a duration such as 10s, 500ms or 1m"),
        ("0s", "0s is outside 100ms to 1h"),
        ("ten seconds", "'ten seconds' is not a duration such as 10s, 500ms or 1m"),
        ("48h", "48h is outside 100ms to 1h"),
    ],
)
async def test_a_collection_interval_that_could_not_run_is_rejected_at_creation(
    interval: str, problem: str
) -> None:
    result, reason = await outcome(with_candidate_variables({"collection_interval": interval}))
    assert result == "rejected"
    assert reason == f"candidates[0] (agg): variables.collection_interval: {problem}"


@pytest.mark.parametrize(
    "variable",
    [
        "otlp_endpoint",
        "health_check_endpoint",
        "otlp_receiver_endpoint",
        "experiment_id",
        "variant",
        "telemetry_metrics_port",
    ],
)
async def test_phoenix_s_wiring_cannot_be_set_by_an_experiment(variable: str) -> None:
    result, reason = await outcome(with_candidate_variables({variable: "http://evil.example:80"}))
    assert result == "rejected"
    assert reason is not None
    assert reason.startswith(f"candidates[0] (agg): variables.{variable}: set by Phoenix")


@pytest.mark.parametrize(
    ("variables", "problem"),
    [
        ({"receivers": ["hostmetrics]\n  evil: ["]}, "variables.receivers: [0] contains a control"),
        ({"receivers": ["hostmetrics, otlp/evil"]}, "variables.receivers: unknown"),
        ({"memory_limit_mib": "200\nextensions: {}"}, "is not a whole number"),
        ({"optional_metrics": ["process.nonsense"]}, "unknown 'process.nonsense'"),
        ({"critical_processes": ["(unclosed"]}, "is not an RE2 regex"),
        ({"memory_limit_mib": True}, "is not a whole number"),
    ],
)
async def test_variables_of_the_wrong_type_or_shape_are_rejected_at_creation(
    variables: dict[str, Any], problem: str
) -> None:
    result, reason = await outcome(with_candidate_variables(variables))
    assert result == "rejected"
    assert reason is not None and problem in reason


async def test_an_experiment_within_every_bound_is_accepted() -> None:
    variables = {
        "collection_interval": "250ms",
        "optional_metrics": ["process.threads"],
        "memory_limit_mib": 100,
        "critical_processes": ["^postgres$"],
    }
    assert (await outcome(with_candidate_variables(variables)))[0] == "accepted"


def test_the_wiring_is_rendered_last_so_nothing_a_variant_carries_overrides_it() -> None:
    # An experiment recorded before admission existed may carry wiring in its variables.
    ref = PipelineRef.model_validate(
        {
            "name": "agg",
            "template": "process-aggregated-v1",
            "variables": {"otlp_endpoint": "http://outside.example:4318", "variant": "spoofed"},
        }
    )
    config = yaml.safe_load(
        render_variant(ref, "x1", [], {"otlp_endpoint": "http://127.0.0.1:9999"})
    )
    exporter = config["exporters"]["otlphttp/phoenix"]
    assert exporter["endpoint"] == "http://127.0.0.1:9999"
    assert exporter["headers"] == {"x-phoenix-experiment": "x1", "x-phoenix-variant": "agg"}
