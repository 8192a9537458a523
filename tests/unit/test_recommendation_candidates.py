"""The candidates recommended for a user's config: what each adds, and what each is predicted to do."""

from __future__ import annotations

import yaml

from pipelines.recommendations import observe, recommend
from pipelines.wiring import process_pipeline
from simulator.fleet import Fleet
from simulator.scrape import DEFAULT_METRICS
from tests.pipeline_configs import user_config

OPTIONAL = ("process.threads", "process.context_switches")
NANOS = 1_000_000_000


def with_optional_metrics() -> str:
    config = yaml.safe_load(user_config())
    scraper = config["receivers"]["hostmetrics"]["scrapers"]["process"]
    scraper["metrics"] = {name: {"enabled": True} for name in OPTIONAL}
    return yaml.safe_dump(config, sort_keys=False)


def test_optional_metrics_the_baseline_turns_on_are_a_candidate_of_their_own() -> None:
    baseline = with_optional_metrics()
    fleet = Fleet("realistic", 1, seed=4, metrics=(*DEFAULT_METRICS, *OPTIONAL))
    scrapes = list(fleet.run(duration_s=60, interval_s=10))
    found = recommend(
        baseline,
        observe(baseline, scrapes),
        interval_nanos=10 * NANOS,
        critical_processes=["^sshd$"],
    )
    [fewer] = [c for c in found.candidates if c.name == "fewer-metrics"]
    assert "process.threads, process.context_switches" in fewer.description
    # Ten series a process (cpu.time 3, disk.io 2, memory 2, threads 1, context switches 2):
    # the optional three go.
    assert round(fewer.predicted.series_reduction, 4) == 0.3
    assert fewer.predicted.critical_retention == 1.0
    config = yaml.safe_load(fewer.config)
    assert process_pipeline(config).processors == ("filter/optional-metrics", "batch")
    assert config["receivers"] == yaml.safe_load(baseline)["receivers"]


def test_without_optional_metrics_there_is_no_such_candidate() -> None:
    baseline = user_config()
    scrapes = list(Fleet("realistic", 1, seed=4).run(duration_s=60, interval_s=10))
    found = recommend(
        baseline, observe(baseline, scrapes), interval_nanos=10 * NANOS, critical_processes=[]
    )
    assert [c.name for c in found.candidates] == ["topk", "by-executable"]
