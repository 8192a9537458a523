"""Phoenix built by the composition root on the in-memory adapters: the whole of it, in a unit test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from adapters.auth.service_identity import ServiceTokens
from adapters.local_deployer import LocalDeployer
from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder, nanos
from adapters.memory.bus import InMemoryBus
from adapters.memory.dead_letters import InMemoryDeadLetters
from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.experiment_index import InMemoryExperimentIndex
from adapters.memory.gitops import InMemoryGitOps
from adapters.memory.measured_intervals import InMemoryIntervals
from adapters.memory.relay import relay
from adapters.memory.tracking import InMemoryTracking
from adapters.nats.consumer import DeliveryPolicy
from adapters.otlp_sink import OtlpSink
from domain.experiment import commands as cmd
from domain.experiment.state import Experiment
from domain.identity import Role
from domain.ids import derived_id
from domain.mapper import to_envelope
from domain.messages import Command, CommandMetadata
from gateway.bootstrap import Phoenix, Ports, bootstrap
from gateway.sample_load import SimulatedSample
from handlers.clock import FixedClock
from handlers.experiment_state import load
from handlers.lifecycle import SETTLE
from simulator.fleet import Fleet
from tests.identities import KEY, VERIFIER, token

QUICK = DeliveryPolicy(max_deliveries=3, backoff=(0.0,), batch_size=1)


SAMPLE = SimulatedSample()  # made once, on first use, for every test's Phoenix


@dataclass
class InMemoryPhoenix:
    """Phoenix and the fakes it runs on, for a test to drive and to look into."""

    phoenix: Phoenix
    store: InMemoryEventStore
    bus: InMemoryBus
    clock: FixedClock
    deployer: LocalDeployer
    recorder: IntervalRecorder
    gitops: InMemoryGitOps
    dead_letters: InMemoryDeadLetters

    async def send(
        self, command: Command, *, actor: str = "alice", roles: tuple[Role, ...] = (Role.OPERATOR,)
    ) -> UUID:
        """Send a command with a token for ``actor`` holding ``roles``, and wait until
        everything it sets off has happened.
        """
        command_id = uuid4()
        signed = token(actor, *roles, now=self.clock.now())
        envelope = to_envelope(command, command_id=command_id, metadata=CommandMetadata())
        await self.bus.send(envelope, token=signed)
        await self.settled()
        return command_id

    async def start(self, create: cmd.CreateExperiment) -> UUID:
        """Create the experiment and start it: it runs once every variant is deployed."""
        assert create.experiment_id is not None
        await self.send(create)
        await self.send(cmd.StartExperiment(experiment_id=create.experiment_id))
        return create.experiment_id

    async def close_windows(self, after: timedelta) -> list[UUID]:
        """Move the clock ``after`` on, and let the window scheduler close what is due then."""
        self.clock.advance(after)
        closed = await self.phoenix.scheduler.run_once()
        await self.settled()
        return closed

    async def observe_window(
        self, experiment_id: UUID, *, hosts: int, seconds: int = 3, interval: float = 0.25
    ) -> Experiment:
        """Simulated hosts (realistic, up a minute) scraped by every variant at its own moment
        of each interval through the window, then the window closed; the experiment after.
        """
        start = nanos(self.clock.now())
        fleet = Fleet("realistic", hosts, seed=3, start=start - 60 * 1_000_000_000)
        for k in range(int(seconds / interval)):
            await self.deployer.scrape_each(fleet, start + int(k * interval * 1e9), interval)
        assert await self.close_windows(timedelta(seconds=seconds) + SETTLE) == [experiment_id]
        return await self.state(experiment_id)

    async def settled(self) -> None:
        """Wait (at most 5 s) until no consumer has anything left to handle."""
        await asyncio.wait_for(self.bus.settled(), 5)

    async def state(self, experiment_id: UUID) -> Experiment:
        return await load(self.store, experiment_id)


@contextlib.asynccontextmanager
async def in_memory_phoenix(now: datetime) -> AsyncIterator[InMemoryPhoenix]:
    clock, gitops, dead_letters = FixedClock(now), InMemoryGitOps(), InMemoryDeadLetters()
    store, bus = InMemoryEventStore(), InMemoryBus(now=clock.now)
    relay(store, bus)
    recorder = IntervalRecorder(store, InMemoryIntervals())
    deployer = LocalDeployer(OtlpSink(recorder=recorder))  # the sink is not started: no server
    ports = Ports(
        store=store,
        bus=bus,
        clock=clock,
        deployer=deployer,
        source=LocalMetricsSource(recorder),
        gitops=gitops,
        index=InMemoryExperimentIndex(store),
        tracking=InMemoryTracking(),
        dead_letters=dead_letters,
        authenticator=VERIFIER,
        service=ServiceTokens(KEY, now=clock.now),
        sample=SAMPLE,
    )
    phoenix = bootstrap(ports, policy=QUICK)
    await phoenix.start()
    try:
        yield InMemoryPhoenix(phoenix, store, bus, clock, deployer, recorder, gitops, dead_letters)
    finally:
        await phoenix.stop()
        await bus.stop()


def experiment_id(name: str) -> UUID:
    return derived_id("test-experiment", name)
