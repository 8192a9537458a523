"""Each reactor, on the in-memory adapters: which commands it sends for its events, and when none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from adapters.local_deployer import LocalDeployer
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.gitops import InMemoryGitOps
from adapters.otlp_sink import OtlpSink
from domain.analysis.windows import Overhead
from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.phase import Verdict
from domain.experiment.spec import Target
from domain.identity import Role
from domain.ids import experiment_stream
from domain.mapper import Occurred, occurred
from domain.messages import Event, EventMetadata
from handlers.deployment import DeploymentHandler
from handlers.lifecycle import Lifecycle
from handlers.ports import CollectorExited, Deployment, DeploymentError
from handlers.promotion import Promotion
from tests.contracts.experiments import experiment
from tests.in_memory import experiment_id, in_memory_phoenix
from tests.unit.test_whole_lifecycle import create

AT = datetime(2030, 3, 4, 5, 6, 7, tzinfo=UTC)


async def last(store: InMemoryEventStore, xid: UUID, kind: type[Event]) -> Occurred[Event]:
    events = await store.read_stream(experiment_stream(xid))
    return occurred(next(e for e in reversed(events) if e.type == kind.type_name()))


class Refuses(LocalDeployer):
    """The local deployer, refusing one variant as a cluster refuses a config."""

    async def deploy(
        self, experiment_id: UUID, variant: str, config: str, *, target: Target | None = None
    ) -> Deployment:
        if variant == "aggregated":
            raise DeploymentError("the cluster refused the config")
        return await super().deploy(experiment_id, variant, config)


async def test_lifecycle_asks_for_teardown_on_every_ending() -> None:
    xid = experiment_id("ends")
    for ending in (
        ev.ExperimentCompleted(experiment_id=xid, winner=None),
        ev.ExperimentFailed(experiment_id=xid, reason="x"),
        ev.ExperimentCancelled(experiment_id=xid, reason="y"),
    ):
        event = Occurred(ending, xid, experiment_stream(xid), 1, EventMetadata(occurred_at=AT))
        assert await Lifecycle().react(event) == [cmd.RequestTeardown(experiment_id=xid)]


async def test_deployment_deploys_each_variant_or_stops_at_the_first_refusal() -> None:
    async with in_memory_phoenix(AT) as world:
        xid = experiment_id("refused")
        await world.phoenix.reactors["deployment"].stop()
        await world.start(create(xid))
        generated = await last(world.store, xid, ev.ConfigsGenerated)
        refusing = Refuses(OtlpSink())
        commands = await DeploymentHandler(world.store, refusing).react(generated)
        assert commands == [
            cmd.RecordVariantDeployed(
                experiment_id=xid, variant="baseline", details={"deployer": "local"}
            ),
            cmd.RecordDeploymentFailed(
                experiment_id=xid, variant="aggregated", reason="the cluster refused the config"
            ),
        ]


async def test_deployment_deploys_nothing_for_an_experiment_cancelled_before_its_turn() -> None:
    async with in_memory_phoenix(AT) as world:
        xid = experiment_id("cancelled")
        await world.phoenix.reactors["deployment"].stop()
        await world.start(create(xid))
        await world.send(cmd.CancelExperiment(experiment_id=xid, reason="not now"))
        generated = await last(world.store, xid, ev.ConfigsGenerated)
        assert await world.phoenix.deployment.react(generated) == []
        assert world.deployer.running == {}


async def test_deployment_brings_back_what_ran_for_experiments_under_way_after_a_restart() -> None:
    async with in_memory_phoenix(AT) as world:
        xid = experiment_id("restored")
        await world.start(create(xid))
        fresh = LocalDeployer(OtlpSink())  # a new process: nothing runs in it yet
        assert await DeploymentHandler(world.store, fresh).recover(world.phoenix.ports.index) == 3
        assert sorted(v for _, v in fresh.running) == ["aggregated", "baseline", "drops-redis"]


async def test_analysis_fails_the_overhead_of_a_collector_that_exited() -> None:
    class Exits(LocalDeployer):
        async def overhead(self, experiment_id: UUID, variant: str) -> Overhead | None:
            raise CollectorExited(f"the {variant} collector exited (code -9)")

    async with in_memory_phoenix(AT) as world:
        xid = experiment_id("exited")
        await world.phoenix.reactors["analysis"].stop()
        await world.start(create(xid))
        await world.close_windows(timedelta(seconds=5))
        closed = await last(world.store, xid, ev.ObservationWindowClosed)
        analysis = world.phoenix.reactors["analysis"].reactor
        analysis.deployer = Exits(OtlpSink())  # type: ignore[attr-defined]
        [recorded] = await analysis.react(closed)
        assert isinstance(recorded, cmd.RecordAnalysis)
        for result in recorded.results:
            assert result.verdict is Verdict.REJECT
            assert result.reasons[0] == (
                f"collector CPU and memory not measured: the {result.variant} collector exited "
                "(code -9)"
            )
            assert result.measures.collector_cpu_cores is None


async def test_analysis_does_nothing_for_an_experiment_no_longer_analyzing() -> None:
    store = InMemoryEventStore()
    xid = await experiment(store, at=AT, completed=True)
    closed = await last(store, xid, ev.ObservationWindowClosed)
    async with in_memory_phoenix(AT) as world:
        analysis = world.phoenix.reactors["analysis"].reactor
        analysis.store = store  # type: ignore[attr-defined]
        assert await analysis.react(closed) == []


async def test_promotion_commits_the_measured_config_once_however_often_it_is_asked() -> None:
    async with in_memory_phoenix(AT) as world:
        xid = experiment_id("promoted")
        await world.phoenix.reactors["promotion"].stop()
        await world.start(create(xid))
        await world.close_windows(timedelta(seconds=5))
        await world.send(
            cmd.PromoteVariant(
                experiment_id=xid, variant="aggregated", override=True, override_reason="we know"
            ),
            actor="root",
            roles=(Role.ADMIN,),
        )
        requested = await last(world.store, xid, ev.PromotionRequested)
        gitops = InMemoryGitOps()
        promotion = Promotion(world.store, gitops)
        first, again = await promotion.react(requested), await promotion.react(requested)
        assert first == again
        [recorded] = first
        assert isinstance(recorded, cmd.RecordPromotion)
        files = gitops.files(recorded.branch)
        state = await world.state(xid)
        config = next(c.config for c in state.configs if c.variant == "aggregated")
        assert files["otelcol/process-metrics/config.yaml"] == config
        assert (
            "**Admin override** by root: we know" in files["otelcol/process-metrics/PROMOTION.md"]
        )
        message = gitops.commits[recorded.commit_id].message
        assert f"Phoenix-Promotion: {requested.event_id}" in message
