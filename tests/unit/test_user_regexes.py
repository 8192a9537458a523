"""Regexes from users run on RE2: no pattern they send can stall a worker."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.analysis.critical import CriticalProcesses
from domain.experiment.spec import ExperimentSpec
from pipelines.evaluator import EvaluatorError
from pipelines.ottl.functions import regex
from tests.unit.test_processors import pipeline, process

# Catastrophic for a backtracking engine (Python's re would run for longer than the universe on
# this input); linear for RE2. The timeout turns a regression into a failure, not a hang.
PATHOLOGICAL = "(a+)+$"
LONG = "a" * 100_000 + "!"


@pytest.mark.timeout(10)
def test_a_critical_process_pattern_that_backtracks_exponentially_elsewhere_runs_in_linear_time() -> (
    None
):
    critical = CriticalProcesses([PATHOLOGICAL])
    assert critical((("process.executable.name", LONG),)) is False


@pytest.mark.timeout(10)
def test_an_ottl_regex_is_compiled_by_re2_too() -> None:
    assert regex(PATHOLOGICAL).search(LONG) is None
    assert type(regex("x")).__module__.startswith("re2")


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("kind", "key"), [("resource", "attributes"), ("attributes", "actions")])
def test_an_attribute_action_s_pattern_is_compiled_by_re2_too(kind: str, key: str) -> None:
    """The resource and attributes processors' ``pattern`` (delete, hash) runs on the keys of
    telemetry from hosts, which can be as long as a sender likes.
    """
    evaluator = pipeline({f"{kind}/strip": {key: [{"action": "delete", "pattern": PATHOLOGICAL}]}})
    sent = process("postgres", 1)
    sent.resource += ((LONG, "resource"),)
    for metric in sent.metrics:
        for point in metric.points:
            point.attributes += ((LONG, "point"),)
    [out] = evaluator.run([sent])
    assert (LONG, "resource") in out.resource
    assert all((LONG, "point") in p.attributes for m in out.metrics for p in m.points)


def test_a_key_that_is_not_utf_8_matches_no_pattern_and_stops_nothing() -> None:
    """A lone surrogate can come from OTLP/JSON's escapes; RE2 reads only UTF-8."""
    evaluator = pipeline({"attributes/strip": {"actions": [{"action": "delete", "pattern": "^x"}]}})
    sent = process("postgres", 1)
    for metric in sent.metrics:
        for point in metric.points:
            point.attributes += (("x\ud800", "kept"), ("xy", "dropped"))
    [out] = evaluator.run([sent])
    for metric in out.metrics:
        for point in metric.points:
            assert ("x\ud800", "kept") in point.attributes
            assert "xy" not in dict(point.attributes)


def test_an_attribute_action_s_pattern_re2_cannot_run_is_refused_with_its_path() -> None:
    with pytest.raises(
        EvaluatorError, match=r"processors.attributes/x.actions\[0\].pattern: .*RE2"
    ):
        pipeline({"attributes/x": {"actions": [{"action": "delete", "pattern": r"(a)\1"}]}})


def spec(critical: list[str]) -> dict[str, object]:
    return {
        "name": "x",
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
        "duration_seconds": 60,
        "critical_processes": critical,
    }


@pytest.mark.parametrize("pattern", [r"(a)\1", r"^(?=postgres)", r"(?<!x)nginx"])
def test_what_re2_cannot_run_in_linear_time_is_refused_at_the_door(pattern: str) -> None:
    with pytest.raises(ValidationError, match="is not an RE2 regex"):
        ExperimentSpec.model_validate(spec([pattern]))


def test_patterns_are_bounded_in_number_and_length() -> None:
    with pytest.raises(ValidationError, match="at most 100 items"):
        ExperimentSpec.model_validate(spec(["^x$"] * 101))
    with pytest.raises(ValidationError, match="1 to 500 characters"):
        ExperimentSpec.model_validate(spec(["x" * 501]))
