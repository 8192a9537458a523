"""The whole experiment lifecycle, create to teardown, on the in-memory adapters in a blink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.measured_intervals import nanos
from domain.experiment import commands as cmd
from domain.experiment.phase import Phase, Verdict
from handlers.lifecycle import SETTLE
from simulator.fleet import Fleet
from tests.in_memory import experiment_id, in_memory_phoenix

NOW = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)  # any date: nothing here reads the wall clock
INTERVAL = 0.25
CRITICAL = ["^postgres$", "^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]


def create(xid: object) -> cmd.CreateExperiment:
    variables = {"collection_interval": "250ms"}
    return cmd.CreateExperiment.model_validate(
        {
            "experiment_id": xid,
            "name": "halve process metrics",
            "baseline": {
                "name": "baseline",
                "template": "process-baseline-v1",
                "variables": variables,
            },
            "candidates": [
                {"name": "aggregated", "template": "process-aggregated-v1", "variables": variables},
                {
                    "name": "drops-redis",
                    "template": "process-minimal-v1",
                    "variables": {
                        **variables,
                        "critical_processes": [c for c in CRITICAL if "redis" not in c],
                    },
                },
            ],
            "duration_seconds": 3,
            "critical_processes": CRITICAL,
        }
    )


async def test_an_experiment_goes_from_create_to_promotion_and_teardown() -> None:
    xid = experiment_id("whole-lifecycle")
    async with in_memory_phoenix(NOW) as world:
        await world.start(create(xid))
        running = await world.state(xid)
        assert running.phase is Phase.RUNNING, running.reason
        assert sorted(world.deployer.running) == sorted(
            (xid, v) for v in ("baseline", "aggregated", "drops-redis")
        )

        # A host, scraped by every variant at its own moment of each interval.
        start = nanos(NOW)
        fleet = Fleet("realistic", 1, seed=3, start=start - 60 * 1_000_000_000)
        for k in range(12):
            await world.deployer.scrape_each(fleet, start + int(k * INTERVAL * 1e9), INTERVAL)

        assert await world.close_windows(timedelta(seconds=3) + SETTLE) == [xid]
        done = await world.state(xid)
        assert done.phase is Phase.COMPLETED, done.reason
        verdicts = {r.variant: r for r in done.results}
        assert verdicts["aggregated"].verdict is Verdict.PROMOTE, verdicts["aggregated"].reasons
        assert (verdicts["aggregated"].measures.series_reduction or 0) >= 0.5
        assert verdicts["drops-redis"].verdict is Verdict.REJECT
        assert any("lost redis-server" in r for r in verdicts["drops-redis"].reasons)
        assert done.winner == "aggregated"
        assert done.torn_down and world.deployer.running == {}

        await world.send(cmd.PromoteVariant(experiment_id=xid, variant="aggregated"))
        promoted = await world.state(xid)
        assert promoted.promoted == "aggregated"
        assert promoted.commit_id is not None
        branch = world.gitops.branches
        committed = next(files for b in branch if b != "main" for files in [world.gitops.files(b)])
        config = next(c.config for c in promoted.configs if c.variant == "aggregated")
        assert committed["otelcol/process-metrics/config.yaml"] == config
        assert world.dead_letters.letters == []
