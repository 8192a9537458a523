"""Properties of the experiment aggregate over arbitrary command sequences."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.decide import decide
from domain.experiment.phase import Phase, Verdict
from domain.experiment.state import Experiment, apply, fold
from domain.messages import Command, Event
from tests.unit.experiment_builders import ADMIN, CTX, XID, configs, create

VARIANTS = ("baseline", "aggregated", "topk")

ALLOWED = {
    Phase.PENDING: {Phase.INITIALIZING, Phase.CANCELLED, Phase.FAILED},
    Phase.INITIALIZING: {Phase.DEPLOYING, Phase.CANCELLED, Phase.FAILED},
    Phase.DEPLOYING: {Phase.RUNNING, Phase.CANCELLED, Phase.FAILED},
    Phase.RUNNING: {Phase.ANALYZING, Phase.CANCELLED, Phase.FAILED},
    Phase.ANALYZING: {Phase.COMPLETED, Phase.FAILED},
}

variant = st.sampled_from(VARIANTS)
verdict = st.sampled_from(list(Verdict))
result = st.builds(
    lambda v, d, r: cmd.VariantResult(variant=v, verdict=d, measures={"series_reduction": r}),
    variant,
    verdict,
    st.floats(0, 1),
)
commands = st.one_of(
    st.just(create()),
    st.just(cmd.StartExperiment(experiment_id=XID)),
    st.just(cmd.CancelExperiment(experiment_id=XID, reason="r")),
    st.just(configs(*VARIANTS)),
    st.builds(lambda v: cmd.RecordVariantDeployed(experiment_id=XID, variant=v), variant),
    st.builds(
        lambda v: cmd.RecordDeploymentFailed(experiment_id=XID, variant=v, reason="x"), variant
    ),
    st.just(cmd.CloseObservationWindow(experiment_id=XID)),
    st.builds(
        lambda rs: cmd.RecordAnalysis(experiment_id=XID, results=tuple(rs)),
        st.lists(result, min_size=1, max_size=3),
    ),
    st.builds(lambda v: cmd.TripGuardrail(experiment_id=XID, variant=v, reason="g"), variant),
    st.just(cmd.FailExperiment(experiment_id=XID, reason="f")),
    st.builds(
        lambda v, o: cmd.PromoteVariant(
            experiment_id=XID, variant=v, override=o, override_reason="ok"
        ),
        variant,
        st.booleans(),
    ),
    st.builds(
        lambda v: cmd.RecordPromotion(
            experiment_id=XID, variant=v, commit_id="abcdef0", repository="r", branch="b"
        ),
        variant,
    ),
    st.just(cmd.RecordTeardown(experiment_id=XID, variants=VARIANTS[1:])),
)


def play(sequence: list[Command], as_admin: list[bool]) -> tuple[Experiment | None, list[Event]]:
    state: Experiment | None = None
    log: list[Event] = []
    for command, admin in zip(sequence, as_admin, strict=True):
        try:
            events = decide(state, command, ADMIN if admin else CTX)
        except DomainError:
            continue
        for event in events:
            state = apply(state, event)
        log.extend(events)
    return state, log


sequences = st.integers(0, 40).flatmap(
    lambda n: st.tuples(
        st.lists(commands, min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n)
    )
)


@settings(max_examples=300, deadline=None)
@given(sequences)
def test_any_command_sequence_leaves_the_experiment_in_a_defined_phase(
    seq: tuple[list[Command], list[bool]],
) -> None:
    state, log = play(*seq)
    if state is None:
        assert log == []
        return
    assert state.phase in set(Phase)
    assert state.version == len(log)
    assert state.history[0].phase is Phase.PENDING
    for before, after in zip(state.history, state.history[1:], strict=False):
        assert after.phase in ALLOWED.get(before.phase, set()), f"{before.phase} -> {after.phase}"


@settings(max_examples=300, deadline=None)
@given(sequences)
def test_folding_an_experiments_events_reproduces_its_state(
    seq: tuple[list[Command], list[bool]],
) -> None:
    state, log = play(*seq)
    assert fold(log) == state


@settings(max_examples=200, deadline=None)
@given(sequences)
def test_a_promotion_needs_a_promote_verdict_or_an_admin_override(
    seq: tuple[list[Command], list[bool]],
) -> None:
    state, log = play(*seq)
    for event in log:
        if isinstance(event, ev.PromotionRequested):
            assert state is not None and state.phase is Phase.COMPLETED
            verdict_of = state.verdict_of(event.variant)
            assert event.override or (
                verdict_of is not None and verdict_of.verdict is Verdict.PROMOTE
            )
