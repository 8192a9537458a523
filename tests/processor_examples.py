"""The processors' example configs (test data beside each processor), each in a whole config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import pipelines.processors

ROOT = Path(pipelines.processors.__file__).parent
EXAMPLES = sorted(ROOT.glob("*/examples/*/*.yaml"))


def config_around(example: Path) -> dict[str, Any]:
    """A collector config whose metrics pipeline is the example's processor alone."""
    kind = example.parts[-4]
    return {
        "receivers": {"otlp": {"protocols": {"http": {}}}},
        "processors": {kind: yaml.safe_load(example.read_text()) or {}},
        "exporters": {"debug": {}},
        "service": {
            "pipelines": {
                "metrics": {"receivers": ["otlp"], "processors": [kind], "exporters": ["debug"]}
            }
        },
    }


def expected_problem(example: Path) -> str:
    """What an invalid example's first line says the validator must find."""
    first = example.read_text().splitlines()[0]
    assert first.startswith("# problem: "), f"{example} must begin with '# problem: ...'"
    return first.removeprefix("# problem: ")
