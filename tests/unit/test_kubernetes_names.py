"""The names the kubernetes deployer gives variants' ProcessPipelines."""

from __future__ import annotations

from uuid import UUID

from adapters.kube.deployer import pipeline_name

XID = UUID("6f0d3c52-7a1e-4d8b-9c2f-3e5a7b9d1c40")


def test_a_variant_s_pipeline_is_named_for_its_experiment_and_variant() -> None:
    assert pipeline_name(XID, "baseline") == "x6f0d3c52-baseline"


def test_a_long_variant_name_is_shortened_with_a_digest_and_stays_distinct() -> None:
    long = "a" * 40
    first, second = pipeline_name(XID, long), pipeline_name(XID, long[:-1] + "b")

    assert len(first) <= 55 and len(second) <= 55
    assert first != second
    assert first == pipeline_name(XID, long)  # the same after a restart
