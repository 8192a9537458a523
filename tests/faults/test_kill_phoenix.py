"""kill -9 of Phoenix during a stream of commands: nothing lost, nothing doubled, nothing pending."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.auth.local_key import LocalKey
from adapters.embedded.servers import Servers
from adapters.nats.bus import NatsBus
from adapters.nats.streams import EVENTS
from adapters.postgres.schema import events, handled_commands
from domain.identity import Role
from domain.messages import CommandEnvelope
from tests.conftest import nats_url_of
from tests.e2e.experiments import spec
from tests.identities import token
from tests.processes import PhoenixProcess
from tests.waiting import eventually

KILLS = 20
COMMANDS = 400


async def test_twenty_kills_during_four_hundred_commands_lose_and_double_nothing(
    servers: Servers,
    database_url: str,
    bus: NatsBus,
    engine: AsyncEngine,
    tmp_path: Path,
    report: Callable[[str], None],
) -> None:
    rng = random.Random(17)
    phoenix = PhoenixProcess(
        tmp_path / "data",
        {"PHOENIX_DATABASE_URL": database_url, "PHOENIX_NATS_URL": nats_url_of(servers)},
    )
    ids = [uuid4() for _ in range(COMMANDS)]
    # The key `phoenix up` will find in its data dir: the commands are signed before it starts.
    signed = token("tester", Role.OPERATOR, key=LocalKey.load_or_create(phoenix.data_dir))
    sending = asyncio.create_task(_send(bus, ids, signed))
    recoveries = []
    try:
        for _ in range(KILLS):
            phoenix.start()
            recoveries.append(await asyncio.to_thread(phoenix.wait_ready))
            # The crash lands anywhere: mid-command, mid-relay, mid-projection.
            await asyncio.sleep(rng.uniform(0.1, 1.0))
            await asyncio.to_thread(phoenix.kill)
        await sending
        phoenix.start()
        recoveries.append(await asyncio.to_thread(phoenix.wait_ready))
        began = time.monotonic()
        handled = await eventually(
            lambda: _handled(engine, ids), until=lambda n: n == COMMANDS, deadline=180
        )
        caught_up = time.monotonic() - began
        created = await _created_per_command(engine)
        published = await _published_event_ids(bus)
    finally:
        sending.cancel()
        if phoenix.process is not None and phoenix.process.poll() is None:
            await asyncio.to_thread(phoenix.stop)
    lost = COMMANDS - handled
    doubled = sum(n - 1 for n in created.values() if n > 1) + sum(
        n - 1 for n in published.values() if n > 1
    )
    pending = sum(1 for i in ids if i not in created)
    report(
        f"faults: {KILLS} kill -9 of phoenix up over {COMMANDS} commands: lost {lost}, "
        f"doubled {doubled}, pending {pending}; ready after restart p50 "
        f"{statistics.median(recoveries):.2f}s max {max(recoveries):.2f}s; caught up {caught_up:.1f}s"
    )
    assert (lost, doubled, pending) == (0, 0, 0)


async def _send(bus: NatsBus, ids: list[UUID], signed: str) -> None:
    for index, command_id in enumerate(ids):
        envelope = CommandEnvelope(
            command_id=command_id, type="CreateExperiment", data=spec(name=f"kill test {index}")
        )
        await bus.send(envelope, token=signed)
        await asyncio.sleep(0.02)


async def _handled(engine: AsyncEngine, ids: list[UUID]) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(handled_commands.c.command_id.in_(ids))
        return int((await conn.execute(query)).scalar_one())


async def _created_per_command(engine: AsyncEngine) -> Counter[UUID]:
    """How many ExperimentCreated each command wrote (exactly one is right)."""
    query = select(events.c.metadata["command_id"].as_string()).where(
        events.c.type == "ExperimentCreated"
    )
    async with engine.connect() as conn:
        return Counter(UUID(row[0]) for row in await conn.execute(query))


async def _published_event_ids(bus: NatsBus) -> Counter[str]:
    """How often each event reached the events stream (the relay's duplicates show here)."""
    total = (await bus.js.stream_info(EVENTS)).state.messages
    sub = await bus.js.pull_subscribe("phoenix.evt.>", stream=EVENTS)
    seen: Counter[str] = Counter()
    while sum(seen.values()) < total:
        for message in await sub.fetch(min(500, total - sum(seen.values())), timeout=10):
            seen[(message.headers or {}).get("Phoenix-Event-Id", "")] += 1
    await sub.unsubscribe()
    return seen
