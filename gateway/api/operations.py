"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from sqlalchemy import func, select, text

from adapters.command_worker import DURABLE as WORKER_DURABLE
from adapters.nats.streams import COMMANDS
from adapters.postgres import checkpoints
from adapters.postgres.event_store import events_after_in, head_position_in
from adapters.postgres.migrate import pending_revisions
from adapters.postgres.schema import checkpoints as checkpoints_table
from adapters.postgres.schema import dead_letters
from adapters.relay import CHECKPOINT as RELAY
from gateway.api.dependencies import ApiDeps, Backends
from gateway.api.kpis import refresh_kpis
from gateway.api.problems import problem_response


@get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


async def _check(name: str, probe: Any) -> tuple[str, str | None]:
    try:
        await asyncio.wait_for(probe, 3.0)
    except Exception as exc:
        return name, f"{type(exc).__name__}: {exc}"
    return name, None


async def _postgres(deps: Backends) -> None:
    async with deps.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _nats(deps: Backends) -> None:
    if not deps.nats.nc.is_connected:
        raise ConnectionError("not connected")
    await deps.nats.js.account_info()


async def _bus(deps: Backends) -> None:
    missing = await deps.nats.missing()
    if missing:
        raise RuntimeError(f"missing on the bus: {', '.join(missing)}")


STUCK_AFTER_S = 30.0


async def _log_readers(deps: Backends) -> None:
    """The relay and every projection keep up with the log: none is behind it and idle."""
    async with deps.engine.connect() as conn:
        head = await head_position_in(conn)
        rows = await conn.execute(
            select(
                checkpoints_table.c.name,
                checkpoints_table.c.position,
                func.extract("epoch", func.now() - checkpoints_table.c.updated_at),
            )
        )
        stuck = [
            f"{name} is {await events_after_in(conn, position)} events behind"
            f" and has not moved for {idle:.0f}s"
            for name, position, idle in rows
            if position < head and idle > STUCK_AFTER_S
        ]
    if stuck:
        raise RuntimeError("; ".join(stuck))


async def _migrations(deps: Backends) -> None:
    pending = await pending_revisions(deps.engine)
    if pending:
        raise RuntimeError(f"migrations not applied: {', '.join(pending)}")


@get("/readyz")
async def readyz(
    request: Request[Any, Any, Any], deps: NamedDependency[ApiDeps]
) -> Response[dict[str, Any]]:
    """Ready when Postgres and NATS answer, the schema is current, the streams and consumers
    are there, and the relay and projections keep up with the log.
    """
    backends = deps.backends
    if backends is None:
        return problem_response(request, 503, "Phoenix runs on no servers here (fakes)")
    results = await asyncio.gather(
        _check("postgres", _postgres(backends)),
        _check("nats", _nats(backends)),
        _check("bus", _bus(backends)),
        _check("migrations", _migrations(backends)),
        _check("log readers", _log_readers(backends)),
    )
    checks = {name: error or "ok" for name, error in results}
    if any(error for _, error in results):
        return problem_response(request, 503, "Phoenix is not ready", checks=checks)
    return Response({"status": "ready", "checks": checks})


@get("/metrics", include_in_schema=False)
async def metrics(deps: NamedDependency[ApiDeps]) -> Response[bytes]:
    """Prometheus exposition of Phoenix's metrics, with lags measured now."""
    m, backends = deps.metrics, deps.backends
    await refresh_kpis(deps.read, m)
    if backends is None:  # on fakes: the counters and KPIs only, no lags to measure
        return Response(
            generate_latest(m.registry), headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4}
        )
    async with backends.engine.connect() as conn:
        head = await head_position_in(conn)
        positions = await checkpoints.all_positions(conn)
        # Positions are not counts (ADR 0013): a lag is the number of events after a checkpoint.
        lags = {name: await events_after_in(conn, position) for name, position in positions.items()}
        relay_lag = lags[RELAY] if RELAY in lags else await events_after_in(conn, 0)
        open_letters = await conn.execute(
            select(dead_letters.c.consumer, func.count())
            .where(dead_letters.c.redriven_at.is_(None))
            .group_by(dead_letters.c.consumer)
        )
        m.dead_letters.clear()
        for consumer, count in open_letters:
            m.dead_letters.labels(consumer).set(count)
    m.head_position.set(head)
    m.relay_lag.set(relay_lag)
    for name, lag in lags.items():
        m.consumer_lag.labels(name).set(lag)
    pending = await backends.nats.consumer_pending(COMMANDS, WORKER_DURABLE)
    if pending is not None:
        m.bus_pending.labels(WORKER_DURABLE).set(pending)
    return Response(generate_latest(m.registry), headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})
