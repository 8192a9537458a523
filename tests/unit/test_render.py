"""Rendering a template: its variables checked, the regexes it writes valid for the collector."""

from __future__ import annotations

import pytest

from domain.telemetry.model import resource_value
from pipelines.evaluator import Evaluator
from pipelines.render import RenderError, render, render_config
from simulator.fleet import Fleet


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
