"""Recommendations predicted on what a baseline emitted, then measured side by side (slow, pure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from adapters.measured_intervals import nanos
from domain.experiment import commands as cmd
from domain.experiment.phase import Phase
from domain.pipeline import commands as pipeline
from handlers.lifecycle import SETTLE
from pipelines.recommendations import observe, recommend
from pipelines.wiring import process_pipeline
from simulator.fleet import Fleet
from tests.in_memory import experiment_id, in_memory_phoenix
from tests.pipeline_configs import EXAMPLE, user_config

NOW = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)  # any date: nothing here reads the wall clock
CRITICAL = ["^postgres$", "^nginx$", "^redis-server$"]
STEP = 10  # seconds between scrapes
NANOS = 1_000_000_000
WINDOW = 120  # the experiment's, in seconds


def test_a_recommendation_is_the_user_s_config_with_the_reduction_in_its_process_pipeline() -> None:
    scrapes = list(Fleet("realistic", 1, seed=2).run(duration_s=120, interval_s=STEP))
    found = recommend(
        EXAMPLE, observe(EXAMPLE, scrapes), interval_nanos=STEP * NANOS, critical_processes=CRITICAL
    )
    mine = yaml.safe_load(EXAMPLE)
    for candidate in found.candidates:
        config = yaml.safe_load(candidate.config)
        # Everything of the user's is still there: exporters, other pipelines, extensions.
        assert config["exporters"] == mine["exporters"]
        assert config["service"]["pipelines"]["traces"] == mine["service"]["pipelines"]["traces"]
        assert config["extensions"] == mine["extensions"]
        order = list(process_pipeline(config).processors)
        assert order[0] == "memory_limiter" and order[-2:] == ["resource", "batch"]
        assert len(order) > 3
        assert candidate.predicted.critical_retention == 1.0
    assert found.ranking[0].series >= found.ranking[-1].series


# How close, in points of reduction: within 2, as the issue asks. (Under high churn this once
# came out 1.5 to 4 points apart: the simulator forgot a short-lived process still alive at a
# scrape if another collector had scraped in between, so each collector saw a different
# population depending on who scraped before it. Fixed in simulator/fleet.py: _flash.)
PROFILES = [("realistic", 3, 7, 0.02), ("high-churn", 3, 11, 0.02)]


@pytest.mark.parametrize(("profile", "hosts", "seed", "within"), PROFILES)
async def test_what_is_predicted_on_observed_data_is_what_the_experiment_measures(
    profile: str, hosts: int, seed: int, within: float, report: Callable[[str], None]
) -> None:
    prod = user_config(interval=f"{STEP}s")
    start = nanos(NOW)
    # The baseline's hosts for ten minutes before the experiment: what recommendations see.
    fleet = Fleet(profile, hosts, seed=seed, start=start - 600 * NANOS)
    observed = list(fleet.run(duration_s=600 - STEP, interval_s=STEP))
    found = recommend(
        prod,
        observe(prod, observed),
        interval_nanos=STEP * NANOS,
        critical_processes=CRITICAL,
        predict_for=WINDOW,
    )
    xid = experiment_id(f"recommended-{profile}")
    async with in_memory_phoenix(NOW) as world:
        await world.send(pipeline.RegisterPipeline(name="prod", config=prod))
        for candidate in found.candidates:
            await world.send(
                pipeline.RegisterPipeline(name=f"prod-{candidate.name}", config=candidate.config)
            )
        create = cmd.CreateExperiment.model_validate(
            {
                "experiment_id": xid,
                "name": f"recommended on {profile}",
                "baseline": {"name": "prod", "pipeline": "prod@1"},
                "candidates": [
                    {"name": c.name, "pipeline": f"prod-{c.name}"} for c in found.candidates
                ],
                "duration_seconds": WINDOW,
                "critical_processes": CRITICAL,
            }
        )
        await world.start(create)
        assert (await world.state(xid)).phase is Phase.RUNNING
        # The same hosts, on: every variant scrapes them at its own moment of each interval.
        for k in range(WINDOW // STEP):
            await world.deployer.scrape_each(fleet, start + k * STEP * NANOS, STEP)
        assert await world.close_windows(timedelta(seconds=WINDOW) + SETTLE) == [xid]
        done = await world.state(xid)
        assert done.phase is Phase.COMPLETED, done.reason
        measured = {r.variant: r.measures for r in done.results}
    for candidate in found.candidates:
        got, said = measured[candidate.name], candidate.predicted
        report(
            f"recommendation {profile} {candidate.name}: series predicted "
            f"{said.series_reduction:.1%} measured {got.series_reduction:.1%}; datapoints "
            f"{said.datapoint_reduction:.1%} / {got.datapoint_reduction:.1%}; critical "
            f"{said.critical_retention:.0%} / {got.critical_retention:.0%}"
        )
        assert got.series_reduction == pytest.approx(said.series_reduction, abs=within)
        assert got.datapoint_reduction == pytest.approx(said.datapoint_reduction, abs=within)
        assert said.critical_retention == got.critical_retention == 1.0
