"""The CRDs in deploy/crds are made from the pydantic models, and checked in as made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.kube.crds import as_yaml, crds

DEPLOY = Path(__file__).parent.parent.parent / "deploy"
CHECKED_IN = (DEPLOY / "crds", DEPLOY / "helm" / "phoenix" / "crds")
NOT_STRUCTURAL = {"$ref", "$defs", "anyOf", "oneOf", "allOf", "title", "const"}


def _keys(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        return set(schema) | {k for v in schema.values() for k in _keys(v)}
    if isinstance(schema, list):
        return {k for v in schema for k in _keys(v)}
    return set()


def test_the_checked_in_crds_are_the_ones_the_models_make() -> None:
    for folder in CHECKED_IN:
        for name, crd in crds().items():
            assert (folder / name).read_text() == as_yaml(crd), (
                f"{folder / name} drifted from the models: run `python -m adapters.kube.crds`"
            )


def test_their_schemas_use_only_what_a_structural_schema_allows() -> None:
    for crd in crds().values():
        schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        assert not _keys(schema) & NOT_STRUCTURAL


def test_an_experiment_s_spec_is_the_experiment_spec_and_immutable() -> None:
    [version] = crds()["experiments.phoenix.io.yaml"]["spec"]["versions"]
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert set(spec["required"]) == {"name", "baseline", "candidates", "duration_seconds"}
    assert spec["x-kubernetes-validations"][0]["rule"] == "self == oldSelf"
    assert spec["properties"]["duration_seconds"]["exclusiveMinimum"] is True


def test_the_chart_carries_the_dashboards_and_rules_of_deploy_monitoring_as_they_are() -> None:
    copies = DEPLOY / "helm" / "phoenix" / "files"
    rules = DEPLOY / "monitoring" / "rules" / "phoenix-alerts.yaml"
    originals = [*sorted((DEPLOY / "monitoring").glob("dashboards/*.json")), rules]
    for original in originals:
        copy = copies / original.relative_to(DEPLOY / "monitoring")
        assert copy.read_text() == original.read_text(), (
            f"{copy} differs from {original}: copy it into the chart again"
        )
