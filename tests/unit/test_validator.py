"""The validator names the path and the problem, for configs from templates or from people."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gateway.cli import app
from pipelines.render import render
from pipelines.validator import ConfigInvalid, validate, validate_text

GOOD = render("process-priority-filter-v1")


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as caught:
        validate_text(text)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("memory_limiter:", "memory_limitr:"),
            "processors.memory_limitr: unknown type 'memory_limitr'",
        ),
        (("limit_mib: 200", "limit_mb: 200"), "processors.memory_limiter.limit_mb: unknown key"),
        (
            ("not IsMatch(", "not IsMatchy("),
            "processors.filter/low_priority.metrics.datapoint[0]: unknown OTTL function IsMatchy",
        ),
        (
            ("not IsMatch(", "not IsMatch(("),
            "processors.filter/low_priority.metrics.datapoint[0]: invalid OTTL",
        ),
        (
            ("exporters: [otlphttp/phoenix]", "exporters: [otlphttp/other]"),
            "service.pipelines.metrics.exporters[0]: references exporter 'otlphttp/other'",
        ),
        (
            ("extensions: [health_check]", "extensions: [pprof]"),
            "service.extensions[0]: references extension 'pprof'",
        ),
        (
            ("error_mode: ignore", "error_mode: loud"),
            "processors.filter/low_priority.error_mode: must be ignore, silent or propagate",
        ),
    ],
)
def test_a_broken_config_is_reported_by_path(change: tuple[str, str], expected: str) -> None:
    assert any(p.startswith(expected) for p in problems(GOOD.replace(*change, 1))), problems(
        GOOD.replace(*change, 1)
    )


def test_a_transform_group_with_an_unknown_context_is_reported() -> None:
    broken = render("process-aggregated-v1").replace("context: metric", "context: metrics", 1)
    assert any("metric_statements[0].context: must be one of" in p for p in problems(broken))


def test_invalid_yaml_names_the_line() -> None:
    assert problems("receivers: [\n")[0].startswith("line 2")


def test_phoenix_pipeline_validate_exits_non_zero_on_an_invalid_file(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text("service: {pipelines: {metrics: {receivers: [otlp], exporters: [debug]}}}\n")
    runner = CliRunner()
    assert runner.invoke(app, ["pipeline", "validate", str(good)]).exit_code == 0
    result = runner.invoke(app, ["pipeline", "validate", str(bad)])
    assert result.exit_code == 1
    assert "references receiver 'otlp', which is not configured" in result.output


def test_the_validator_accepts_connectors_and_resourcedetection_and_refuses_wrong_contexts() -> (
    None
):
    config = yaml.safe_load(render("process-priority-filter-v1"))
    config["connectors"] = {"forward": {}}
    config["processors"]["resourcedetection/system"] = {"detectors": ["system"]}
    config["service"]["pipelines"]["metrics"]["exporters"].append("forward")
    config["service"]["pipelines"]["metrics/after"] = {
        "receivers": ["forward"],
        "processors": ["resourcedetection/system"],
        "exporters": ["otlphttp/phoenix"],
    }
    assert validate(config) == []
    config["processors"]["filter/low_priority"]["metrics"]["metric"] = [
        'datapoint.attributes["state"] == "wait"'
    ]
    [problem] = validate(config)
    assert "not reachable from the metric context" in str(problem)
