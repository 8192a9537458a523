"""What an Experiment object's status says, from Phoenix's read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from adapters.kube.experiment_reconciler import experiment_id, overall, status_of

XID = UUID("6f0d3c52-7a1e-4d8b-9c2f-3e5a7b9d1c40")
AT = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)


def variant(name: str, role: str, verdict: str | None, **measures: float) -> dict[str, Any]:
    return {"variant": name, "role": role, "verdict": verdict, "measures": measures}


def test_an_experiment_object_stands_for_one_experiment_whatever_delivers_it() -> None:
    assert experiment_id("uid-1") == experiment_id("uid-1") != experiment_id("uid-2")


def test_a_completed_experiment_shows_its_verdict_winner_and_reduction() -> None:
    experiment = {
        "experiment_id": XID,
        "phase": "Completed",
        "phase_history": [{"phase": "Pending", "at": AT}, {"phase": "Completed", "at": AT}],
        "window_ends_at": AT,
        "reason": None,
    }
    results = {
        "winner": "topk",
        "promotion_commit": None,
        "variants": [
            variant("baseline", "baseline", None),
            variant("topk", "candidate", "promote", series_reduction=0.624, critical_retention=1.0),
            variant("minimal", "candidate", "reject", series_reduction=0.9),
        ],
    }

    status = status_of(experiment, results, generation=1)

    assert (status["phase"], status["verdict"], status["winner"]) == (
        "Completed",
        "promote",
        "topk",
    )
    assert status["winnerSeriesReduction"] == "62%"
    assert status["windowEndsAt"] == "2031-05-04T03:02:01Z"
    assert status["variants"][1] == {
        "name": "topk",
        "verdict": "promote",
        "seriesReduction": 0.624,
        "criticalRetention": 1.0,
    }
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "Ready": "False",
        "Completed": "True",
    }


def test_a_running_experiment_is_ready_and_has_no_verdict_yet() -> None:
    status = status_of({"experiment_id": XID, "phase": "Running"}, None, generation=1)

    assert "verdict" not in status and "winner" not in status
    assert {c["type"]: c["status"] for c in status["conditions"]}["Ready"] == "True"


def test_without_a_winner_the_verdict_is_inconclusive_if_any_candidate_was_else_reject() -> None:
    rejected = [variant("a", "candidate", "reject"), variant("b", "candidate", "reject")]
    unsure = [variant("a", "candidate", "reject"), variant("b", "candidate", "inconclusive")]

    assert overall(rejected, None) == "reject"
    assert overall(unsure, None) == "inconclusive"
    assert overall([variant("baseline", "baseline", None)], None) is None
