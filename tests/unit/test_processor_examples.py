"""Each processor's own examples: the valid ones validate and run in the evaluator, each invalid one
is refused with the problem its first line names (``pipelines/processors/<type>/examples/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.evaluator import Evaluator
from pipelines.processors import KINDS
from pipelines.validator import validate
from tests.processor_examples import EXAMPLES, config_around, expected_problem


def test_every_processor_has_a_valid_and_an_invalid_example() -> None:
    for kind in {k.name for k in KINDS.values()}:
        found = {path.parent.name for path in EXAMPLES if path.parts[-4] == kind}
        assert found == {"valid", "invalid"}, kind


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.parent.name == "valid"], ids=str)
def test_a_valid_example_validates_and_runs_where_the_evaluator_runs_it(example: Path) -> None:
    config = config_around(example)
    assert validate(config) == []
    kind = KINDS[example.parts[-4]]
    if kind.build is not None:
        assert len(Evaluator(config).processors) == 1


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.parent.name == "invalid"], ids=str)
def test_an_invalid_example_is_refused_with_its_problem(example: Path) -> None:
    problems = [str(p) for p in validate(config_around(example))]
    assert any(expected_problem(example) in p for p in problems), problems
