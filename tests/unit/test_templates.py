"""Every template renders, validates and runs; none ever drops or aggregates a critical process."""

from __future__ import annotations

import re
from typing import Any

import pytest

from domain.telemetry.model import Batch, MetricType, resource_value
from pipelines.catalog import catalog
from pipelines.evaluator import Evaluator
from pipelines.render import RenderError, render, render_config
from pipelines.validator import validate_text
from simulator.fleet import Fleet
from simulator.profiles import PROFILES

TEMPLATES = list(catalog())
SECOND = 1_000_000_000
CRITICAL_CHOICES = [
    "^postgres$",
    "^nginx$",
    "^mysqld$",
    "^redis-server$",
    "^mongod$",
    "^java$",
    "^sshd$",
    "^python3$",
    "^worker$",
    "^curl$",
]


def variables(name: str, critical: list[str]) -> dict[str, Any]:
    extra: dict[str, Any] = {"critical_processes": critical}
    if name == "process-topk-v1":
        extra["keep_command_lines"] = ["/usr/sbin/cron -f"]
    return extra


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_a_config_that_validates(name: str) -> None:
    validate_text(render(name, variables(name, ["^postgres$"])))


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_measured_through_prometheus_labels_its_output_and_changes_nothing_else(
    name: str,
) -> None:
    plain = validate_text(render(name, variables(name, ["^postgres$"])))
    wired = validate_text(
        render(
            name,
            {
                **variables(name, ["^postgres$"]),
                "prometheus_otlp_endpoint": "http://p:9090/api/v1/otlp",
            },
        )
    )
    pipeline = wired["service"]["pipelines"]["metrics"]
    assert pipeline["processors"] == plain["service"]["pipelines"]["metrics"]["processors"] + [
        "resource/phoenix"
    ]
    assert pipeline["exporters"] == ["otlphttp/phoenix", "otlphttp/prometheus"]
    fleet = Fleet("realistic", 1, seed=5)
    batch = fleet.scrape(fleet.hosts[0].now + 10**10)[0]
    before, after = Evaluator(plain).run(batch), Evaluator(wired).run(batch)
    labels = {("phoenix.experiment", "local"), ("phoenix.variant", "baseline")}
    assert [tuple(a for a in rm.resource if a not in labels) for rm in after] == [
        rm.resource for rm in before
    ]
    assert all(labels <= set(rm.resource) for rm in after)


def test_an_unknown_variable_is_refused_by_name() -> None:
    with pytest.raises(RenderError, match="has no variable"):
        render("process-aggregated-v1", {"critical": ["x"]})


def full_identity(
    batch: Batch, patterns: list[re.Pattern[str]]
) -> dict[tuple[Any, ...], dict[tuple[str, tuple[Any, ...]], float]]:
    """Each critical process (by resource) and its series' values."""
    out: dict[tuple[Any, ...], dict[tuple[str, tuple[Any, ...]], float]] = {}
    for rm in batch:
        name = resource_value(rm.resource, "process.executable.name")
        if isinstance(name, str) and any(p.search(name) for p in patterns):
            out[rm.resource] = {
                (m.name, p.attributes): p.value for m in rm.metrics for p in m.points
            }
    return out


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_minimal_template_keeps_critical_processes_with_cpu_and_memory(profile: str) -> None:
    patterns = [re.compile("^postgres$"), re.compile("^nginx$")]
    evaluator = Evaluator(
        render_config("process-minimal-v1", {"critical_processes": ["^postgres$", "^nginx$"]})
    )
    for _, [batch] in Fleet(
        profile, 1, seed=3, processes=120 if profile == "high-cardinality" else None
    ).run(duration_s=20, interval_s=10):
        before = full_identity(batch, patterns)
        after = full_identity(evaluator.run(batch), patterns)
        assert after.keys() == before.keys()
        for resource, series in after.items():
            assert {name for name, _ in series} == {"process.cpu.time", "process.memory.usage"}
            assert all(before[resource][key] == value for key, value in series.items())


def test_aggregation_preserves_totals() -> None:
    evaluator = Evaluator(
        render_config("process-aggregated-v1", {"critical_processes": ["^postgres$"]})
    )
    for _, [batch] in Fleet("realistic", 1, seed=5).run(duration_s=20, interval_s=10):
        out = evaluator.run(batch)

        def total(b: Batch, metric: str) -> float:
            return sum(
                p.value for rm in b for m in rm.metrics if m.name == metric for p in m.points
            )

        for metric in ("process.cpu.time", "process.memory.usage", "process.disk.io"):
            assert total(out, metric) == pytest.approx(total(batch, metric), rel=1e-9)


def test_every_template_records_its_measured_reduction_on_every_profile() -> None:
    for t in catalog().values():
        assert set(t.expected_reduction) == set(PROFILES), t.name


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


ROLLED_UP = ["process-topk-v1", "process-aggregated-v1", "process-adaptive-v1"]


@pytest.mark.parametrize("name", ROLLED_UP)
def test_a_late_scrape_and_the_next_never_give_a_rolled_up_series_one_timestamp_twice(
    name: str,
) -> None:
    # A Prometheus refuses a whole OTLP request that gives a series it stores a second, different
    # point at one timestamp: every process of that host's batch, critical ones too, is lost.
    interval = 10 * SECOND
    evaluator = Evaluator(
        render_config(name, {**variables(name, ["^postgres$"]), "collection_interval": "10s"})
    )
    start = 180_000 * interval  # any moment: the simulator keeps no wall clock
    fleet = Fleet("realistic", 1, seed=3, start=start)
    phase = fleet.hosts[0].phase
    boundary = start + 100 * interval
    late = boundary + SECOND // 10 - phase  # meant for just before the boundary, 0.2 s late
    on_time = boundary + interval - SECOND // 10 - phase  # the next, 9.8 s later

    def rolled_up(at: int) -> dict[tuple[Any, ...], set[int]]:
        stamps: dict[tuple[Any, ...], set[int]] = {}
        for rm in evaluator.run(fleet.scrape(at)[0]):
            if resource_value(rm.resource, "phoenix.rollup"):
                for m in rm.metrics:
                    for p in m.points:
                        stamps.setdefault((rm.resource, m.name, p.attributes), set()).add(
                            p.time_unix_nano
                        )
        return stamps

    first, second = rolled_up(late), rolled_up(on_time)
    assert first.keys() & second.keys()
    assert all(not first[key] & second[key] for key in first.keys() & second.keys())
