"""Each real adapter keeps its port's contract: NATS JetStream, PostgreSQL, git and real collectors."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import psutil
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.collector.deployer import ProcessDeployer
from adapters.embedded.ports import free_port
from adapters.gitops import GitRepository
from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.experiment_index import PostgresExperimentIndex
from adapters.postgres.measured_intervals import PostgresIntervals
from adapters.postgres.read_model import PostgresReadModel
from adapters.postgres.tracking import PostgresTracking
from adapters.projection_runner import ProjectionRunner
from domain.telemetry.model import Batch
from pipelines.render import render
from projections.registry import all_projectors
from tests.contracts.bus import BusContract
from tests.contracts.deployer import DeployerContract, Deploying
from tests.contracts.experiment_index import ExperimentIndexContract, Indexed
from tests.contracts.gitops import GitOpsContract
from tests.contracts.metrics_source import Measured, MetricsSourceContract
from tests.contracts.read_model import Readable, ReadModelContract
from tests.contracts.tracking import TrackingContract


class TestNatsBus(BusContract):
    """The ``bus`` fixture of tests/conftest.py: JetStream on the session's NATS, streams emptied."""


class TestPostgresTracking(TrackingContract):
    @pytest.fixture
    def tracking(self, engine: AsyncEngine) -> PostgresTracking:
        return PostgresTracking(engine)


class TestGitRepository(GitOpsContract):
    @pytest.fixture
    def gitops(self, tmp_path: Path) -> GitRepository:
        return GitRepository(tmp_path / "gitops")


class TestPostgresExperimentIndex(ExperimentIndexContract):
    @pytest.fixture
    def indexed(self, engine: AsyncEngine) -> Indexed:
        runner = ProjectionRunner(engine, all_projectors())
        return Indexed(PostgresExperimentIndex(engine), PostgresEventStore(engine), runner.catch_up)


class TestPostgresReadModel(ReadModelContract):
    @pytest.fixture
    def readable(self, engine: AsyncEngine) -> Readable:
        runner = ProjectionRunner(engine, all_projectors())
        return Readable(PostgresReadModel(engine), PostgresEventStore(engine), runner.catch_up)


class TestLocalMetricsSourceOnPostgres(MetricsSourceContract):
    @pytest.fixture
    def measured(self, engine: AsyncEngine) -> Measured:
        store = PostgresEventStore(engine)
        recorder = IntervalRecorder(store, PostgresIntervals(engine))

        async def arrive(xid: UUID, variant: str, batch: Batch, at: int) -> None:
            await recorder.record(str(xid), variant, batch, at)

        async def settle() -> object:
            return await recorder.flush(everything=True)  # written to and read from the table

        return Measured(LocalMetricsSource(recorder), store, arrive, settle)


class TestProcessDeployer(DeployerContract):
    @pytest.fixture
    async def deploying(self, otelcol: Path, tmp_path: Path) -> AsyncIterator[Deploying]:
        deployer = ProcessDeployer(otelcol, tmp_path)

        def config(xid: UUID, variant: str) -> str:
            return render(
                "process-baseline-v1",
                {
                    "experiment_id": str(xid),
                    "variant": variant,
                    "otlp_endpoint": "http://127.0.0.1:1",
                    "health_check_endpoint": f"127.0.0.1:{free_port()}",
                },
            )

        def crash(xid: UUID, variant: str) -> None:
            process = deployer.running[(xid, variant)].process
            assert process.pid is not None
            os.kill(process.pid, signal.SIGKILL)
            # Killed, as a crash would: wait (with a deadline) until the kernel says it is dead.
            deadline = time.monotonic() + 10
            while psutil.Process(process.pid).status() != psutil.STATUS_ZOMBIE:
                assert time.monotonic() < deadline, "the killed collector did not die"
                time.sleep(0.01)

        yield Deploying(deployer, config, crash)
        await deployer.teardown_all()
