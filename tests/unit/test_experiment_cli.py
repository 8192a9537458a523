"""`phoenix experiment create` says exactly which field is wrong, before anything is sent."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app
from gateway.experiment_cli import short_name, spec_from_flags

runner = CliRunner()


def test_a_yaml_spec_with_a_bad_field_is_refused_with_its_path(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: x\nbaseline: {name: baseline, template: process-baseline-v1}\n"
        "candidates: [{name: Bad_Name, template: process-aggregated-v1}]\n"
        "duration_seconds: -5\n"
    )
    result = runner.invoke(app, ["experiment", "create", "--file", str(spec)])
    assert result.exit_code == 2
    assert "candidates.0.name: String should match pattern" in result.output
    assert "duration_seconds: Input should be greater than 0" in result.output


def test_flags_build_a_spec_with_short_variant_names() -> None:
    spec = spec_from_flags(
        name="n",
        baseline="process-baseline-v1",
        candidates=["process-topk-v1", "mine=process-aggregated-v1"],
        duration=60,
        interval="10s",
        critical=["^postgres$"],
        hosts=[],
    )
    assert [c["name"] for c in spec["candidates"]] == ["topk", "mine"]
    assert spec["baseline"]["variables"] == {"collection_interval": "10s"}
    assert short_name("process-priority-filter-v1") == "priority-filter"


def test_create_without_a_file_or_a_candidate_says_what_to_give() -> None:
    result = runner.invoke(app, ["experiment", "create"])
    assert result.exit_code == 2
    assert "give --file, or at least one --candidate" in result.output
