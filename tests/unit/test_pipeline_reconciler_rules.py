"""The operator's rules for a ProcessPipeline: what differs from what it applied, and when a
pipeline is ready, read from its DaemonSet's status.
"""

from __future__ import annotations

from typing import Any

from adapters.kube.pipeline_reconciler import differences, readiness


def daemon_set(generation: int = 1, **status: Any) -> dict[str, Any]:
    return {"metadata": {"generation": generation}, "status": status}


def test_differences_name_each_changed_path_by_key_and_position() -> None:
    want = {"spec": {"containers": [{"image": "a", "args": ["x"]}], "replicas": 1}}
    have = {"spec": {"containers": [{"image": "b", "args": ["x"]}], "replicas": 1, "extra": 2}}

    assert differences(want, have) == ["spec.containers[0].image", "spec.extra"]


def test_equal_objects_have_no_differences_and_a_list_of_another_length_is_one() -> None:
    same = {"data": {"config.yaml": "a: 1"}}

    assert differences(same, dict(same)) == []
    assert differences({"l": [1, 2]}, {"l": [1]}) == ["l"]


def test_a_pipeline_is_ready_when_every_node_it_selects_runs_the_current_generation() -> None:
    ok = readiness(daemon_set(2, observedGeneration=2, desiredNumberScheduled=3, numberReady=3))

    assert ok == (True, "AllNodesReady", "3 of 3 nodes ready", 3, 3)


def test_a_pipeline_is_not_ready_while_nodes_come_up_or_its_change_is_unseen() -> None:
    coming = readiness(daemon_set(1, observedGeneration=1, desiredNumberScheduled=3, numberReady=1))
    unseen = readiness(daemon_set(2, observedGeneration=1, desiredNumberScheduled=3, numberReady=3))

    assert coming[:3] == (False, "Progressing", "1 of 3 nodes ready")
    assert unseen[:2] == (False, "Progressing")


def test_a_pipeline_no_node_matches_is_not_ready_and_says_so() -> None:
    assert readiness(daemon_set(1, observedGeneration=1))[:2] == (False, "NoNodes")
    assert readiness(None)[:2] == (False, "NotApplied")
