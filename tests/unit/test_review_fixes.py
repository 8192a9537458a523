"""Regressions for what the pipelines review found: each test names the mistake it guards against."""

from __future__ import annotations

import pytest
import yaml

from domain.telemetry.model import MetricType, resource_value
from pipelines.estimate import estimate
from pipelines.evaluator import Evaluator
from pipelines.render import RenderError, render, render_config
from pipelines.validator import validate
from simulator.fleet import Fleet


def test_rolled_up_sums_are_no_longer_monotonic_counters() -> None:
    evaluator = Evaluator(
        render_config("process-aggregated-v1", {"critical_processes": ["^postgres$"]})
    )
    [(_, [batch])] = list(Fleet("realistic", 1, seed=3).run(duration_s=10, interval_s=10))
    out = evaluator.run(batch)
    rolled = [
        m
        for rm in out
        if resource_value(rm.resource, "phoenix.rollup")
        for m in rm.metrics
        if m.type is MetricType.SUM
    ]
    kept = [
        m
        for rm in out
        if resource_value(rm.resource, "process.executable.name") == "postgres"
        for m in rm.metrics
        if m.name == "process.cpu.time"
    ]
    assert rolled
    assert not any(m.monotonic for m in rolled)
    assert all(m.monotonic for m in kept)


def test_critical_patterns_are_re2_as_in_the_collector() -> None:
    config = render_config(
        "process-priority-filter-v1",
        {"critical_processes": ["(?i)^POSTGRES$"], "high_priority_processes": []},
    )
    [(_, [batch])] = list(Fleet("realistic", 1, seed=3).run(duration_s=10, interval_s=10))
    names = {
        resource_value(rm.resource, "process.executable.name")
        for rm in Evaluator(config).run(batch)
    }
    assert names <= {"postgres"}
    with pytest.raises(RenderError, match="not an RE2 regex"):
        render("process-aggregated-v1", {"critical_processes": ["^(?!bash)"]})


def test_datapoint_rates_of_both_sides_are_taken_over_the_same_span() -> None:
    # Drops every point but those of one instant: the output must not look as dense as the input.
    only_first = {
        "processors": {
            "filter/x": {
                "metrics": {"datapoint": ["datapoint.time_unix_nano > 1798761630000000000"]}
            }
        },
        "service": {
            "pipelines": {
                "metrics": {
                    "receivers": ["otlp"],
                    "processors": ["filter/x"],
                    "exporters": ["debug"],
                }
            }
        },
    }
    fleet = Fleet("realistic", 1, seed=1)
    result = estimate(
        fleet.run(duration_s=60, interval_s=10),
        Evaluator(only_first),
        critical_processes=["^postgres$"],
        interval_nanos=10_000_000_000,
    )
    assert result.datapoint_reduction > 0.5


def test_critical_retention_is_not_measurable_when_no_critical_process_is_seen() -> None:
    fleet = Fleet("realistic", 1, seed=1)
    result = estimate(
        fleet.run(duration_s=20, interval_s=10),
        Evaluator(render_config("process-baseline-v1")),
        critical_processes=["^no-such-process$"],
        interval_nanos=10_000_000_000,
    )
    assert result.critical_retention is None


def test_the_validator_accepts_connectors_and_resourcedetection_and_refuses_wrong_contexts() -> (
    None
):
    config = yaml.safe_load(render("process-priority-filter-v1"))
    config["connectors"] = {"forward": {}}
    config["processors"]["resourcedetection/system"] = {"detectors": ["system"]}
    config["service"]["pipelines"]["metrics"]["exporters"].append("forward")
    config["service"]["pipelines"]["metrics/after"] = {
        "receivers": ["forward"],
        "processors": ["resourcedetection/system"],
        "exporters": ["otlphttp/phoenix"],
    }
    assert validate(config) == []
    config["processors"]["filter/low_priority"]["metrics"]["metric"] = [
        'datapoint.attributes["state"] == "wait"'
    ]
    [problem] = validate(config)
    assert "not reachable from the metric context" in str(problem)


def test_simulated_pids_are_never_reused_while_alive_and_systemd_is_pid_1() -> None:
    fleet = Fleet("high-churn", 1, seed=5)
    host = fleet.hosts[0]
    assert host.processes[1].executable_name == "systemd"
    host.next_pid = 4_194_300  # about to wrap
    for _, [batch] in fleet.run(duration_s=30, interval_s=10):
        pids = [resource_value(rm.resource, "process.pid") for rm in batch]
        assert len(pids) == len(set(pids))
    assert 1 in host.processes


def test_processes_already_running_at_boot_carry_their_whole_lifetimes_cpu() -> None:
    fleet = Fleet("realistic", 1, seed=2)
    systemd = fleet.hosts[0].processes[1]
    age = (fleet.hosts[0].now - systemd.started_at) / 1e9
    lifetime_cores = (systemd.cpu_user + systemd.cpu_system + systemd.cpu_wait) / age
    assert lifetime_cores == pytest.approx(systemd.cpu_cores, rel=0.9)
