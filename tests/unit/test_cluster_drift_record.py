"""Drift put back on a cluster is recorded once per edit, however often it is reported."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.cluster.aggregate import CLUSTER, apply, cluster_stream, decide
from domain.cluster.commands import RecordPipelineDrift
from domain.cluster.events import PipelineDriftCorrected
from domain.context import Context

NOW = Context(now=datetime(2030, 1, 1, tzinfo=UTC), actor="operator")


def drift(resource_version: str = "41") -> RecordPipelineDrift:
    return RecordPipelineDrift(
        namespace="observability",
        name="prod",
        kind="DaemonSet",
        object="phoenix-prod",
        fields=("spec.template.spec.containers[0].image",),
        generation=3,
        resource_version=resource_version,
    )


def test_a_drift_correction_becomes_an_event_in_the_pipeline_s_cluster_stream() -> None:
    [event] = decide(None, drift(), NOW)

    assert isinstance(event, PipelineDriftCorrected)
    assert event.fields == ("spec.template.spec.containers[0].image",)
    assert CLUSTER.stream_id(drift()) == cluster_stream("observability", "prod")
    assert cluster_stream("observability", "prod") == "cluster-observability.prod"


def test_the_same_edit_reported_again_is_recorded_once_and_a_new_edit_again() -> None:
    state = apply(None, decide(None, drift(), NOW)[0])

    assert decide(state, drift(), NOW) == []
    assert len(decide(state, drift(resource_version="57"), NOW)) == 1
