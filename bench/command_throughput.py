"""Commands decided per second: 16 senders, each sending one experiment's 50 commands in order,
to a Phoenix running in a process of its own, beside the bare JetStream rate of as many messages.

Run: uv run python -m bench.command_throughput [--experiments 16] [--per-experiment 50] [--repeat 3]

Each experiment gets a create, a start, 47 more starts and a cancel in the middle (every start
after the first, and all after the cancel, rejected): what a busy operator's tooling sends. The
figure is first send → every command recorded as handled; Phoenix's relay, projections and
reactors run meanwhile, as in production. The anchor is the same number of messages published
by 16 senders to a JetStream stream and consumed and acknowledged one at a time by one pull
consumer, on the same server in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from uuid import uuid4

from faststream.nats import NatsUserPassword
from nats.js.api import StreamConfig
from sqlalchemy import func, select

from adapters.nats.bus import NatsBus
from adapters.postgres.engine import create_engine
from adapters.postgres.schema import handled_commands
from bench.harness import console, machine, table
from bench.round_trip import DATA, Served, against_phoenix
from domain.ids import derived_id
from domain.messages import CommandEnvelope


def one_experiment(per: int) -> list[CommandEnvelope]:
    created = CommandEnvelope(command_id=uuid4(), type="CreateExperiment", data=DATA)
    experiment = str(derived_id("experiment", created.command_id))
    rest = [
        CommandEnvelope(
            command_id=uuid4(),
            type="CancelExperiment" if n == per // 2 else "StartExperiment",
            data={"experiment_id": experiment} | ({"reason": "enough"} if n == per // 2 else {}),
        )
        for n in range(1, per)
    ]
    return [created, *rest]


_HANDLED = select(func.count()).select_from(handled_commands)


async def phoenix_rate(served: Served, bus: NatsBus, experiments: int, per: int) -> float:
    sent = [one_experiment(per) for _ in range(experiments)]

    async def send_in_order(commands: list[CommandEnvelope]) -> None:
        for envelope in commands:
            await bus.send(envelope, token=served.operator_token)

    engine = create_engine(served.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            expected = int((await conn.execute(_HANDLED)).scalar_one()) + experiments * per
            await conn.rollback()
            started = time.perf_counter()
            await asyncio.gather(*(send_in_order(c) for c in sent))
            while int((await conn.execute(_HANDLED)).scalar_one()) < expected:
                await conn.rollback()  # a fresh snapshot for the next count
                if time.perf_counter() > started + 300:
                    raise TimeoutError("the commands were not all decided within 300 s")
                await asyncio.sleep(0.005)  # what is timed runs in another process
            return experiments * per / (time.perf_counter() - started)
    finally:
        await engine.dispose()


async def bare_rate(bus: NatsBus, experiments: int, per: int) -> float:
    """Publish from 16 senders to a stream and consume and ack each from one pull consumer."""
    await bus.js.add_stream(StreamConfig(name="BENCH_RATE", subjects=["bench.rate"]))
    sub = await bus.js.pull_subscribe("bench.rate", durable="bench-rate", stream="BENCH_RATE")
    total = experiments * per

    async def send(sender: int) -> None:
        for n in range(per):
            await bus.js.publish("bench.rate", b"x" * 400, headers={"Nats-Msg-Id": f"{sender}-{n}"})

    async def consume() -> None:
        seen = 0
        while seen < total:
            for msg in await sub.fetch(128, timeout=5):
                await msg.ack()
                seen += 1

    started = time.perf_counter()
    await asyncio.gather(consume(), *(send(s) for s in range(experiments)))
    rate = total / (time.perf_counter() - started)
    await bus.js.delete_stream("BENCH_RATE")
    return rate


async def client(
    served: Served, experiments: int, per: int, repeat: int
) -> list[tuple[float, float]]:
    bus = NatsBus(
        served.nats_url, security=NatsUserPassword(served.nats_user, served.nats_password)
    )
    await bus.start()
    try:
        await phoenix_rate(served, bus, 2, 10)  # warm-up
        return [
            (
                await phoenix_rate(served, bus, experiments, per),
                await bare_rate(bus, experiments, per),
            )
            for _ in range(repeat)
        ]
    finally:
        await bus.stop()


def main(experiments: int, per: int, repeat: int) -> None:
    runs = against_phoenix(lambda served: client(served, experiments, per, repeat))
    ours = statistics.median(r[0] for r in runs)
    bare = statistics.median(r[1] for r in runs)
    table(
        f"Commands decided per second ({experiments} senders, {per} commands each, median of "
        f"{repeat}; {machine()})",
        ["", "phoenix", "bare JetStream", "ratio"],
        [["commands/s", f"{ours:,.0f}", f"{bare:,.0f}", f"{ours / bare:.2f}"]],
    )
    console.print(
        "runs: " + ", ".join(f"{a:,.0f} / {b:,.0f}" for a, b in runs) + "\n"
        "phoenix (its own process): bus → command worker (ordered lanes) → event store, with the"
        " relay, projections and reactors running; timed to every command handled.\n"
        "bare: the same count of 400-byte messages, 16 publishers, one pull consumer acking each."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=16)
    parser.add_argument("--per-experiment", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    main(args.experiments, args.per_experiment, args.repeat)
