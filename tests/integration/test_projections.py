"""Projections build the read tables from the log, rebuild to the same tables, and wake on the bus."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.bus import NatsBus
from adapters.postgres import checkpoints
from adapters.postgres.event_store import PostgresEventStore
from adapters.projection_runner import ProjectionRunner
from adapters.relay import Relay, bus_publisher
from domain.experiment import commands as cmd
from domain.messages import CommandEnvelope, NewEvent, RecordedEvent
from handlers.clock import SystemClock
from handlers.command_handler import CommandHandler
from projections.registry import all_projectors
from projections.tables import READ_TABLES
from tests.identities import EVERYONE
from tests.in_memory import experiment_id, in_memory_phoenix
from tests.unit.test_pipeline_promotion import NOW, lean_promoted_into_fast
from tests.waiting import eventually


def command(kind: str, **data: Any) -> CommandEnvelope:
    return CommandEnvelope(command_id=uuid4(), type=kind, data=data)


def create(xid: str, name: str) -> CommandEnvelope:
    return command(
        "CreateExperiment",
        experiment_id=xid,
        name=name,
        baseline={"name": "baseline", "template": "process-baseline-v1"},
        candidates=[{"name": "agg", "template": "process-aggregated-v1"}],
        duration_seconds=60,
    )


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as conn:
        return {
            t.name: sorted(tuple(r) for r in await conn.execute(select(t))) for t in READ_TABLES
        }


async def as_text(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every row as PostgreSQL prints it: a JSON null and an SQL NULL differ here."""
    async with engine.connect() as conn:
        return {
            t.name: sorted(
                r[0] for r in await conn.exec_driver_sql(f"SELECT t::text FROM {t.name} t")
            )
            for t in READ_TABLES
        }


async def whole_log() -> list[RecordedEvent]:
    """Every kind of event the projectors read: a pipeline registered, an experiment on it
    deployed, measured, judged, torn down and its winner promoted into the pipeline, and a
    rejected command; run on the in-memory adapters in a blink.
    """
    xid = experiment_id("rebuilt whole")
    async with in_memory_phoenix(NOW) as world:
        await lean_promoted_into_fast(world, xid)
        await world.send(cmd.CancelExperiment(experiment_id=xid, reason="too late"))
        return await world.store.read_all(0, limit=100_000)


async def test_rebuilt_tables_equal_the_incrementally_built_ones(engine: AsyncEngine) -> None:
    handler = CommandHandler(PostgresEventStore(engine), SystemClock())
    runner = ProjectionRunner(engine, all_projectors(), batch=3)
    sha = "b" * 64
    for n in range(6):
        xid = str(uuid4())
        await handler.handle(create(xid, f"experiment {n}"), EVERYONE)
        await runner.catch_up()
        if n % 2:
            await handler.handle(command("StartExperiment", experiment_id=xid), EVERYONE)
        if n % 3 == 0:
            await handler.handle(
                command("CancelExperiment", experiment_id=xid, reason="no longer needed"), EVERYONE
            )
        if n == 5:
            configs = [{"variant": v, "config": "c", "sha256": sha} for v in ("baseline", "agg")]
            await handler.handle(
                command("RecordConfigsGenerated", experiment_id=xid, configs=configs), EVERYONE
            )
        await handler.handle(
            command("CloseObservationWindow", experiment_id=xid), EVERYONE
        )  # rejected
        await runner.catch_up()
    incremental = await snapshot(engine)
    assert len(incremental["experiments"]) == 6
    assert sorted(r[3] for r in incremental["experiments"]) == [
        "Cancelled",
        "Cancelled",
        "Deploying",
        "Initializing",
        "Pending",
        "Pending",
    ]
    assert any(r[2] == "rejected" for r in incremental["command_outcomes"])

    replayed = await ProjectionRunner(engine, all_projectors(), batch=4).rebuild()
    assert replayed == len(incremental["audit_log"])  # every event, once for all projectors
    assert await snapshot(engine) == incremental


async def test_the_projector_is_woken_by_the_bus_not_only_by_polling(
    engine: AsyncEngine, bus: NatsBus
) -> None:
    # A poll interval far beyond the test's deadline: only the bus can wake it in time.
    runner = ProjectionRunner(engine, all_projectors(), poll_interval=3600)
    relay = Relay(engine, bus_publisher(bus), poll_interval=0.05)
    stop = asyncio.Event()

    async def wake() -> None:
        runner.wakeup.set()

    await bus.subscribe_core("phoenix.evt.>", wake)
    tasks = [asyncio.create_task(runner.run(stop)), asyncio.create_task(relay.run(stop))]
    try:
        await asyncio.sleep(0)  # let the runner finish its first pass and go to sleep
        await eventually(lambda: _checkpoints_exist(engine))
        await CommandHandler(PostgresEventStore(engine), SystemClock()).handle(
            create(str(uuid4()), "woken"), EVERYONE
        )
        rows = await eventually(
            lambda: snapshot(engine), until=lambda s: len(s["experiments"]) == 1, deadline=15
        )
        assert rows["experiments"][0][1] == "woken"
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def _checkpoints_exist(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        return "projection:audit" in await checkpoints.all_positions(conn)


async def test_every_projector_advances_in_one_transaction_per_batch(engine: AsyncEngine) -> None:
    handler = CommandHandler(PostgresEventStore(engine), SystemClock())
    for n in range(4):
        await handler.handle(create(str(uuid4()), f"experiment {n}"), EVERYONE)
    runner = ProjectionRunner(engine, all_projectors(), batch=100)
    commits: list[object] = []
    count = commits.append
    sqlalchemy_event.listen(engine.sync_engine, "commit", count)
    try:
        assert await runner.catch_up() == 4
    finally:
        sqlalchemy_event.remove(engine.sync_engine, "commit", count)
    assert len(commits) == 1, "one commit for all five projectors, not one each"
    async with engine.connect() as conn:
        positions = await checkpoints.all_positions(conn)
    head = await PostgresEventStore(engine).head_position()
    assert {positions[f"projection:{p.name}"] for p in all_projectors()} == {head}


async def test_a_rebuild_writes_exactly_the_tables_that_projecting_event_by_event_wrote(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """The rebuild folds the tables in memory and copies them in at the end; the live path
    writes statement by statement. Same log, same rows, byte for byte.
    """
    store = PostgresEventStore(engine)
    log = await whole_log()
    assert {"AnalysisRecorded", "VariantPromoted", "PipelinePromoted", "CommandRejected"} <= {
        e.type for e in log
    }
    for event in log:
        kept = NewEvent(
            event_id=event.event_id,
            type=event.type,
            schema_version=event.schema_version,
            data=event.data,
            metadata=event.metadata,
        )
        await store.append(event.stream_id, event.version - 1, [kept])
    runner = ProjectionRunner(engine, all_projectors(), batch=7)
    await runner.catch_up()
    incremental = await as_text(engine)
    assert all(incremental.values())  # every table has rows

    with caplog.at_level(logging.INFO, logger="adapters.projection_runner"):
        assert await runner.rebuild() == len(log)
    assert "one projector at a time" not in caplog.text  # in memory, all together
    assert await as_text(engine) == incremental
