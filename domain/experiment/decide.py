"""Decisions: what events a command produces from a state, or why it is refused."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from domain.context import Context
from domain.errors import AggregateAlreadyExists, AggregateNotFound, IllegalCommand
from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.phase import Phase, Verdict
from domain.experiment.state import Experiment
from domain.ids import experiment_stream
from domain.messages import Command, Event

GUARDRAIL_FAILURE = "guardrail on "  # how the reason of a guardrail's ExperimentFailed begins


def decide(state: Experiment | None, command: Command, ctx: Context) -> list[Event]:
    """The events ``command`` produces on ``state``; raises a DomainError if it is refused."""
    name = type(command).__name__
    if isinstance(command, cmd.CreateExperiment):
        if state is not None:
            raise AggregateAlreadyExists(experiment_stream(state.experiment_id), name)
        assert command.experiment_id is not None, "the command handler assigns the id"
        return [ev.ExperimentCreated(experiment_id=command.experiment_id, spec=command.spec())]
    if not isinstance(command, cmd.ExperimentCommand):
        raise TypeError(f"{name} is not an experiment command")
    if state is None:
        raise AggregateNotFound(experiment_stream(command.experiment_id), name)
    return _decide_existing(state, command, ctx)


def _refuse(state: Experiment, command: Command, detail: str = "") -> IllegalCommand:
    return IllegalCommand(type(command).__name__, state.phase.value, detail)


def _require(state: Experiment, command: Command, *phases: Phase) -> None:
    if state.phase not in phases:
        allowed = " or ".join(p.value for p in phases)
        raise _refuse(state, command, f"it needs {allowed}")


def _known_variant(state: Experiment, command: Command, variant: str) -> None:
    if variant not in state.spec.variant_names:
        known = ", ".join(state.spec.variant_names)
        raise _refuse(state, command, f"variant {variant!r} is not one of {known}")


def _decide_existing(state: Experiment, c: cmd.ExperimentCommand, ctx: Context) -> list[Event]:
    xid: UUID = state.experiment_id
    match c:
        case cmd.StartExperiment():
            _require(state, c, Phase.PENDING)
            return [ev.ExperimentStarted(experiment_id=xid)]
        case cmd.CancelExperiment(reason=reason):
            if not state.phase.cancellable:
                raise _refuse(state, c)
            return [ev.ExperimentCancelled(experiment_id=xid, reason=reason)]
        case cmd.RecordConfigsGenerated(configs=configs):
            _require(state, c, Phase.INITIALIZING)
            got = sorted(x.variant for x in configs)
            if got != sorted(state.spec.variant_names):
                raise _refuse(state, c, f"configs for {got} do not match the variants")
            return [ev.ConfigsGenerated(experiment_id=xid, configs=configs)]
        case cmd.RecordVariantDeployed(variant=variant, details=details):
            _require(state, c, Phase.DEPLOYING)
            _known_variant(state, c, variant)
            if variant in state.deployed:
                return []
            out: list[Event] = [
                ev.VariantDeployed(experiment_id=xid, variant=variant, details=details)
            ]
            if state.deployed | {variant} == set(state.spec.variant_names):
                ends = ctx.now + timedelta(seconds=state.spec.duration_seconds)
                out.append(
                    ev.ExperimentRunning(experiment_id=xid, started_at=ctx.now, window_ends_at=ends)
                )
            return out
        case cmd.RecordDeploymentFailed(variant=variant, reason=reason):
            _require(state, c, Phase.DEPLOYING)
            _known_variant(state, c, variant)
            return [
                ev.VariantDeploymentFailed(experiment_id=xid, variant=variant, reason=reason),
                ev.ExperimentFailed(experiment_id=xid, reason=f"variant {variant}: {reason}"),
            ]
        case cmd.CloseObservationWindow():
            _require(state, c, Phase.RUNNING)
            return [ev.ObservationWindowClosed(experiment_id=xid, closed_at=ctx.now)]
        case cmd.RecordAnalysis(results=results, baseline=baseline):
            _require(state, c, Phase.ANALYZING)
            for result in results:
                _known_variant(state, c, result.variant)
                if result.variant == state.spec.baseline.name:
                    raise _refuse(state, c, "the baseline gets measures, not a verdict")
            winner = _winner(results)
            return [
                ev.AnalysisRecorded(
                    experiment_id=xid, results=results, winner=winner, baseline=baseline
                ),
                ev.ExperimentCompleted(experiment_id=xid, winner=winner),
            ]
        case cmd.TripGuardrail(variant=variant, reason=reason):
            _require(state, c, Phase.RUNNING)
            _known_variant(state, c, variant)
            return [
                ev.GuardrailTripped(experiment_id=xid, variant=variant, reason=reason),
                ev.ExperimentFailed(
                    experiment_id=xid, reason=f"{GUARDRAIL_FAILURE}{variant}: {reason}"
                ),
            ]
        case cmd.FailExperiment(reason=reason):
            if state.phase.terminal:
                raise _refuse(state, c)
            return [ev.ExperimentFailed(experiment_id=xid, reason=reason)]
        case cmd.PromoteVariant():
            return [_promotion(state, c, ctx)]
        case cmd.RecordPromotion(variant=variant):
            if state.promotion_requested != variant or state.promoted is not None:
                raise _refuse(state, c, f"no pending promotion of {variant!r}")
            return [
                ev.VariantPromoted(
                    experiment_id=xid,
                    variant=variant,
                    commit_id=c.commit_id,
                    repository=c.repository,
                    branch=c.branch,
                )
            ]
        case cmd.RequestTeardown():
            if not state.phase.terminal:
                raise _refuse(state, c, "collectors are torn down only when it has ended")
            if state.teardown_requested or state.torn_down:
                return []
            return [ev.TeardownRequested(experiment_id=xid, variants=tuple(sorted(state.deployed)))]
        case cmd.RecordTeardown(variants=variants):
            if not state.phase.terminal:
                raise _refuse(state, c, "collectors are torn down only when it has ended")
            if state.torn_down:
                return []
            return [ev.CollectorsTornDown(experiment_id=xid, variants=variants)]
    raise TypeError(f"no decision for {type(c).__name__}")


def _promotion(state: Experiment, c: cmd.PromoteVariant, ctx: Context) -> Event:
    _require(state, c, Phase.COMPLETED)
    _known_variant(state, c, c.variant)
    if c.variant == state.spec.baseline.name:
        raise _refuse(state, c, "the baseline is what is already running")
    if state.promotion_requested is not None:
        raise _refuse(state, c, f"{state.promotion_requested!r} is already being promoted")
    result = state.verdict_of(c.variant)
    verdict = result.verdict if result else None
    if c.override:
        if "admin" not in ctx.roles:
            raise _refuse(state, c, "an override needs the admin role")
        if not c.override_reason:
            raise _refuse(state, c, "an override needs an override_reason")
    elif verdict is not Verdict.PROMOTE:
        shown = verdict.value if verdict else "none"
        raise _refuse(state, c, f"variant {c.variant!r} has verdict {shown}, not promote")
    baseline = state.spec.baseline
    target = c.to_pipeline or baseline.pipeline_name
    winner = next(ref for ref in state.spec.candidates if ref.name == c.variant)
    if c.to_pipeline and winner.pipeline is None and baseline.pipeline is None:
        raise _refuse(
            state,
            c,
            f"{c.variant!r} runs a template and the baseline too: a pipeline version is made "
            "from a registered pipeline's config (the winner's, or the baseline's with the "
            "winner's processors)",
        )
    return ev.PromotionRequested(
        experiment_id=state.experiment_id,
        variant=c.variant,
        override=c.override,
        override_reason=c.override_reason,
        requested_by=ctx.actor,
        to_pipeline=target,
    )


def _winner(results: tuple[cmd.VariantResult, ...]) -> str | None:
    promoted = [r for r in results if r.verdict is Verdict.PROMOTE]
    if not promoted:
        return None
    best = max(promoted, key=lambda r: (r.measures.series_reduction or 0.0, r.variant))
    return best.variant
