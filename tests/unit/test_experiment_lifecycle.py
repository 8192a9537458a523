"""The experiment moves through its lifecycle only as ARCHITECTURE.md draws it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain.errors import AggregateAlreadyExists, AggregateNotFound, IllegalCommand
from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.decide import decide
from domain.experiment.phase import Phase, Verdict
from domain.messages import Command
from tests.unit.experiment_builders import (
    ADMIN,
    CTX,
    NOW,
    XID,
    analysis,
    configs,
    create,
    run,
    to_completed,
    to_running,
)


def test_a_created_experiment_is_pending() -> None:
    state, events = run([create()])
    assert state is not None
    assert state.phase is Phase.PENDING
    assert [type(e) for e in events] == [ev.ExperimentCreated]


def test_an_experiment_walks_every_phase_to_completed_with_a_winner() -> None:
    state, _ = run(to_completed())
    assert state is not None
    assert [h.phase for h in state.history] == [
        Phase.PENDING,
        Phase.INITIALIZING,
        Phase.DEPLOYING,
        Phase.RUNNING,
        Phase.ANALYZING,
        Phase.COMPLETED,
    ]
    assert state.winner == "aggregated"


def test_running_begins_only_when_every_variant_is_deployed() -> None:
    state, _ = run(to_running()[:-1])
    assert state is not None
    assert state.phase is Phase.DEPLOYING
    state, events = run(to_running()[-1:], state)
    assert state is not None and state.phase is Phase.RUNNING
    running = events[-1]
    assert isinstance(running, ev.ExperimentRunning)
    assert running.window_ends_at == NOW + timedelta(seconds=600)


def test_a_variant_reported_deployed_twice_changes_nothing_the_second_time() -> None:
    state, _ = run(to_running()[:4])
    _, events = run([cmd.RecordVariantDeployed(experiment_id=XID, variant="baseline")], state)
    assert events == []


def test_an_illegal_command_names_the_command_and_the_state() -> None:
    state, _ = run([create()])
    with pytest.raises(
        IllegalCommand, match="CloseObservationWindow is not allowed when the experiment is Pending"
    ):
        decide(state, cmd.CloseObservationWindow(experiment_id=XID), CTX)


def test_creating_an_existing_experiment_is_refused() -> None:
    state, _ = run([create()])
    with pytest.raises(AggregateAlreadyExists, match="already exists"):
        decide(state, create(), CTX)


def test_a_command_to_a_missing_experiment_is_refused() -> None:
    with pytest.raises(AggregateNotFound, match=f"experiment-{XID}"):
        decide(None, cmd.StartExperiment(experiment_id=XID), CTX)


@pytest.mark.parametrize(
    "steps", [1, 2, 3, 6], ids=["pending", "initializing", "deploying", "running"]
)
def test_an_experiment_can_be_cancelled_in_every_cancellable_phase(steps: int) -> None:
    state, _ = run(to_running()[:steps])
    state, _ = run([cmd.CancelExperiment(experiment_id=XID, reason="changed my mind")], state)
    assert state is not None
    assert state.phase is Phase.CANCELLED
    assert state.reason == "changed my mind"


@pytest.mark.parametrize(
    "extra",
    [
        [cmd.CloseObservationWindow(experiment_id=XID)],
        [cmd.CloseObservationWindow(experiment_id=XID), analysis()],
    ],
)
def test_analysis_and_after_cannot_be_cancelled(extra: list[Command]) -> None:
    state, _ = run([*to_running(), *extra])
    with pytest.raises(IllegalCommand):
        decide(state, cmd.CancelExperiment(experiment_id=XID, reason="too late"), CTX)


def test_a_guardrail_trip_fails_a_running_experiment_with_its_reason() -> None:
    state, events = run(
        [
            *to_running(),
            cmd.TripGuardrail(experiment_id=XID, variant="topk", reason="postgres vanished"),
        ]
    )
    assert state is not None and state.phase is Phase.FAILED
    assert "postgres vanished" in (state.reason or "")
    assert [type(e) for e in events[-2:]] == [ev.GuardrailTripped, ev.ExperimentFailed]


def test_a_failed_deployment_fails_the_experiment() -> None:
    state, _ = run(
        [
            *to_running()[:3],
            cmd.RecordDeploymentFailed(experiment_id=XID, variant="topk", reason="crashloop"),
        ]
    )
    assert state is not None and state.phase is Phase.FAILED
    assert state.reason == "variant topk: crashloop"


def test_configs_must_cover_exactly_the_variants() -> None:
    state, _ = run(to_running()[:2])
    with pytest.raises(IllegalCommand, match="do not match the variants"):
        decide(state, configs("baseline", "aggregated"), CTX)


def test_a_promote_verdict_allows_promotion() -> None:
    state, events = run(
        [*to_completed(), cmd.PromoteVariant(experiment_id=XID, variant="aggregated")]
    )
    assert isinstance(events[-1], ev.PromotionRequested)
    assert events[-1].override is False
    state, _ = run(
        [
            cmd.RecordPromotion(
                experiment_id=XID,
                variant="aggregated",
                commit_id="abc1234",
                repository="r",
                branch="b",
            )
        ],
        state,
    )
    assert state is not None and state.promoted == "aggregated"


def test_a_variant_without_a_promote_verdict_is_not_promoted() -> None:
    state, _ = run(to_completed())
    with pytest.raises(IllegalCommand, match="verdict reject, not promote"):
        decide(state, cmd.PromoteVariant(experiment_id=XID, variant="topk"), CTX)


def test_an_override_needs_an_admin_and_is_recorded_as_such() -> None:
    state, _ = run(to_completed(aggregated=Verdict.INCONCLUSIVE))
    override = cmd.PromoteVariant(
        experiment_id=XID, variant="topk", override=True, override_reason="known good"
    )
    with pytest.raises(IllegalCommand, match="admin role"):
        decide(state, override, CTX)
    [event] = decide(state, override, ADMIN)
    assert isinstance(event, ev.PromotionRequested)
    assert (event.override, event.requested_by) == (True, "root")


def test_an_inconclusive_experiment_has_no_winner() -> None:
    state, _ = run(to_completed(aggregated=Verdict.INCONCLUSIVE, topk=Verdict.INCONCLUSIVE))
    assert state is not None and state.winner is None


def test_teardown_is_recorded_once_and_only_after_the_end() -> None:
    state, _ = run(to_running())
    teardown = cmd.RecordTeardown(experiment_id=XID, variants=("aggregated", "topk"))
    with pytest.raises(IllegalCommand, match="only when it has ended"):
        decide(state, teardown, CTX)
    state, _ = run([cmd.CancelExperiment(experiment_id=XID, reason="stop"), teardown], state)
    assert state is not None and state.torn_down
    assert decide(state, teardown, CTX) == []


def test_a_spec_with_a_bad_critical_pattern_names_the_pattern() -> None:
    with pytest.raises(ValidationError, match=r"critical_processes\[1\] '\(unclosed'"):
        create(critical_processes=["^ok$", "(unclosed"])


def test_a_spec_with_repeated_variant_names_is_refused() -> None:
    with pytest.raises(ValidationError, match="repeated: baseline"):
        create(candidates=[{"name": "baseline", "template": "process-minimal-v1"}])
