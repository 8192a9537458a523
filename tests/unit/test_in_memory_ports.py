"""Each in-memory adapter keeps its port's contract, so unit tests on them say what production does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

import pytest

from adapters.local_deployer import LocalDeployer
from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.memory.bus import InMemoryBus, subject_matches
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.experiment_index import InMemoryExperimentIndex
from adapters.memory.gitops import InMemoryGitOps
from adapters.memory.measured_intervals import InMemoryIntervals
from adapters.memory.read_model import InMemoryReadModel
from adapters.memory.tracking import InMemoryTracking
from adapters.otlp_sink import OtlpSink
from domain.telemetry.model import Batch
from handlers.clock import FixedClock, SystemClock
from pipelines.render import render
from tests.contracts.bus import BusContract
from tests.contracts.clock import ClockContract
from tests.contracts.deployer import DeployerContract, Deploying
from tests.contracts.experiment_index import ExperimentIndexContract, Indexed
from tests.contracts.gitops import GitOpsContract
from tests.contracts.metrics_source import Measured, MetricsSourceContract
from tests.contracts.read_model import Readable, ReadModelContract
from tests.contracts.tracking import TrackingContract


class TestInMemoryBus(BusContract):
    @pytest.fixture
    async def bus(self) -> AsyncIterator[InMemoryBus]:
        bus = InMemoryBus()
        yield bus
        await bus.stop()


def test_subjects_match_as_nats_matches_them() -> None:
    assert subject_matches("phoenix.cmd.>", "phoenix.cmd.experiment.StartExperiment")
    assert not subject_matches("phoenix.cmd.>", "phoenix.cmd")
    assert subject_matches("phoenix.*.experiment", "phoenix.evt.experiment")
    assert not subject_matches("phoenix.*.experiment", "phoenix.evt.experiment.X")


class TestInMemoryTracking(TrackingContract):
    @pytest.fixture
    def tracking(self) -> InMemoryTracking:
        return InMemoryTracking()


class TestSystemClock(ClockContract):
    @pytest.fixture
    def clock(self) -> SystemClock:
        return SystemClock()


class TestFixedClock(ClockContract):
    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock(datetime(2030, 1, 1, tzinfo=UTC))


class TestInMemoryGitOps(GitOpsContract):
    @pytest.fixture
    def gitops(self) -> InMemoryGitOps:
        return InMemoryGitOps()


class TestInMemoryExperimentIndex(ExperimentIndexContract):
    @pytest.fixture
    def indexed(self) -> Indexed:
        store = InMemoryEventStore()

        async def nothing_to_catch_up() -> None:
            return None

        return Indexed(InMemoryExperimentIndex(store), store, nothing_to_catch_up)


class TestLocalMetricsSourceInMemory(MetricsSourceContract):
    @pytest.fixture
    def measured(self) -> Measured:
        store = InMemoryEventStore()
        recorder = IntervalRecorder(store, InMemoryIntervals())

        async def arrive(xid: UUID, variant: str, batch: Batch, at: int) -> None:
            await recorder.record(str(xid), variant, batch, at)

        async def settle() -> object:
            return await recorder.flush(everything=True)

        return Measured(LocalMetricsSource(recorder), store, arrive, settle)


class TestInMemoryReadModel(ReadModelContract):
    @pytest.fixture
    def readable(self) -> Readable:
        store = InMemoryEventStore()

        async def nothing_to_catch_up() -> None:
            return None

        return Readable(InMemoryReadModel(store), store, nothing_to_catch_up)


def variant_config(xid: UUID, variant: str) -> str:
    return render(
        "process-baseline-v1",
        {"experiment_id": str(xid), "variant": variant, "otlp_endpoint": "http://127.0.0.1:1"},
    )


class TestLocalDeployer(DeployerContract):
    @pytest.fixture
    async def deploying(self) -> AsyncIterator[Deploying]:
        deployer = LocalDeployer(OtlpSink())  # the sink is not started: nothing listens
        yield Deploying(deployer, variant_config)
        await deployer.teardown_all()
