"""On every simulated profile, no template drops or aggregates a critical process, and the reducing
templates halve the series: the templates' promises checked over many fleets (slow, pure code).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.evaluator import Evaluator
from pipelines.render import render_config
from simulator.fleet import Fleet
from simulator.profiles import PROFILES
from tests.unit.test_templates import CRITICAL_CHOICES, TEMPLATES, full_identity, variables


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from([t for t in TEMPLATES if t != "process-minimal-v1"]),
    profile=st.sampled_from(list(PROFILES)),
    seed=st.integers(1, 10_000),
    critical=st.lists(st.sampled_from(CRITICAL_CHOICES), min_size=1, max_size=4, unique=True),
)
def test_no_template_drops_or_aggregates_a_critical_process_on_any_profile(
    name: str, profile: str, seed: int, critical: list[str]
) -> None:
    patterns = [re.compile(c) for c in critical]
    evaluator = Evaluator(render_config(name, variables(name, critical)))
    fleet = Fleet(profile, 1, seed=seed, processes=120 if profile == "high-cardinality" else None)
    for _, [batch] in fleet.run(duration_s=30, interval_s=10):
        assert full_identity(evaluator.run(batch), patterns) == full_identity(batch, patterns)


@pytest.mark.parametrize(
    "name", ["process-aggregated-v1", "process-topk-v1", "process-adaptive-v1"]
)
@pytest.mark.parametrize(("profile", "hosts"), [("realistic", 3), ("high-cardinality", 1)])
def test_the_reducing_templates_halve_series_and_keep_every_critical_process(
    name: str, profile: str, hosts: int
) -> None:
    from pipelines.estimate import estimate
    from pipelines.recommend import top_by_cpu

    critical = ["^postgres$", "^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]
    extra: dict[str, Any] = {"critical_processes": critical}
    if name == "process-topk-v1":
        warmup = (
            b
            for _, bs in Fleet(profile, hosts, seed=2, processes=300 if hosts == 1 else None).run(
                duration_s=60, interval_s=10
            )
            for b in bs
        )
        extra["keep_command_lines"] = top_by_cpu(warmup, 5)
    fleet = Fleet(profile, hosts, seed=2, processes=300 if hosts == 1 else None)
    result = estimate(
        fleet.run(duration_s=60, interval_s=10),
        Evaluator(render_config(name, extra)),
        critical_processes=critical,
        interval_nanos=10_000_000_000,
    )
    assert result.series_reduction >= 0.5
    assert result.critical_retention == 1.0
    assert result.critical_in > 0
