"""Every config Phoenix renders loads in the real collector, and what it refuses Phoenix refuses too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.collector.binary import validate_with
from pipelines.catalog import catalog
from pipelines.render import render
from pipelines.validator import ConfigInvalid, validate_text
from tests.processor_examples import EXAMPLES, config_around

VARIABLES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "otlp-in, optional metrics, regex features": {
        "receivers": ["otlp"],
        "optional_metrics": ["process.threads", "process.open_file_descriptors"],
        "critical_processes": [
            "(?i)^postgres$",
            "^nginx: (master|worker)",
            r"^java\d*$",
            "^a\\.b$",
        ],
        "collection_interval": "15s",
    },
    "both receivers, names needing escapes": {
        "receivers": ["hostmetrics", "otlp"],
        "critical_processes": ['^quote"d$', "^back\\\\slash$", "^it's$"],
        "experiment_id": "e-1",
        "variant": "candidate-1",
        "telemetry_metrics_port": 18888,
    },
}
EXTRA: dict[str, dict[str, Any]] = {
    "process-topk-v1": {
        "keep_command_lines": [
            "/usr/sbin/mysqld --basedir=/usr (x) [y] *z*",
            "python3 -c 'print(1)'",
        ]
    },
    "process-priority-filter-v1": {"high_priority_processes": ["^sshd$", "^(kubelet|containerd)$"]},
    "process-adaptive-v1": {"cpu_threshold_cores": 0.5, "memory_threshold_mib": 2048},
}


@pytest.mark.parametrize("case", list(VARIABLES))
@pytest.mark.parametrize("name", list(catalog()))
def test_every_template_loads_in_the_real_collector(
    otelcol: Path, tmp_path: Path, name: str, case: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(render(name, {**VARIABLES[case], **EXTRA.get(name, {})}))
    verdict = validate_with(otelcol, config)
    assert verdict.valid, verdict.output


BROKEN = {
    "unknown key in a processor": (
        "memory_limiter:\n    check_interval: 1s",
        "memory_limiter:\n    bogus_key: true\n    check_interval: 1s",
    ),
    "invalid OTTL syntax": (
        'not IsMatch(resource.attributes["process.executable.name"]',
        'not IsMatch(resource.attributes["process.executable.name"',
    ),
    "unknown OTTL function": ("not IsMatch(", "not IsMatchy("),
    "undefined processor in a pipeline": (
        "processors: [memory_limiter, filter/low_priority, batch]",
        "processors: [memory_limiter, filter/low_priority, batch, transform/none]",
    ),
    "unknown component type": ("  batch:\n", "  batchy:\n"),
    "memory_limiter without a limit": ("    limit_mib: 200\n", ""),
    "datapoint path in the metric context": (
        "    metrics:\n      datapoint:",
        '    metrics:\n      metric:\n        - \'datapoint.attributes["state"] == "wait"\'\n      datapoint:',
    ),
    "unknown enum": (
        "    metrics:\n      datapoint:",
        "    metrics:\n      metric:\n        - 'metric.type == METRIC_DATA_TYPE_SUMM'\n      datapoint:",
    ),
    "invalid YAML": ("exporters:", "exporters: [:"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_what_the_real_collector_refuses_phoenix_refuses_too(
    otelcol: Path, tmp_path: Path, case: str
) -> None:
    old, new = BROKEN[case]
    good = render("process-priority-filter-v1")
    assert old in good, "the test's anchor must be in the rendered config"
    text = good.replace(old, new, 1)
    config = tmp_path / "config.yaml"
    config.write_text(text)
    assert not validate_with(otelcol, config).valid, "the real collector accepted it"
    with pytest.raises(ConfigInvalid) as refused:
        validate_text(text)
    assert refused.value.problems, "Phoenix gave no reason"


def test_the_validators_own_positive_examples_load_in_the_real_collector(
    otelcol: Path, tmp_path: Path
) -> None:
    config = yaml.safe_load(render("process-aggregated-v1"))
    config["processors"]["resource/tag"] = {
        "attributes": [{"key": "deployment.environment", "value": "test", "action": "upsert"}]
    }
    config["processors"]["attributes/strip"] = {
        "actions": [{"key": "state", "action": "delete"}],
        "include": {"match_type": "strict", "metric_names": ["process.cpu.time"]},
    }
    config["processors"]["cumulative_to_delta"] = {
        "include": {"metrics": ["process.cpu.time"], "match_type": "strict"}
    }
    config["processors"]["metrics_transform"] = {
        "transforms": [
            {
                "include": "process.disk.io",
                "action": "update",
                "operations": [
                    {
                        "action": "aggregate_labels",
                        "label_set": ["direction"],
                        "aggregation_type": "sum",
                    }
                ],
            }
        ]
    }
    config["service"]["pipelines"]["metrics"]["processors"][1:1] = [
        "resource/tag",
        "attributes/strip",
        "cumulative_to_delta",
        "metrics_transform",
    ]
    text = yaml.safe_dump(config, sort_keys=False)
    validate_text(text)
    path = tmp_path / "config.yaml"
    path.write_text(text)
    verdict = validate_with(otelcol, path)
    assert verdict.valid, verdict.output


# The test collector has every processor Phoenix's configs use; resourcedetection is known to
# Phoenix's validator only (deploy/otelcol/builder.yaml leaves it out).
NOT_BUILT = {"resourcedetection"}
BUILT_EXAMPLES = [e for e in EXAMPLES if e.parts[-4] not in NOT_BUILT]


@pytest.mark.parametrize("example", BUILT_EXAMPLES, ids=lambda e: "/".join(e.parts[-4:]))
def test_each_processor_s_examples_are_judged_alike_by_the_real_collector(
    otelcol: Path, tmp_path: Path, example: Path
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config_around(example)))
    verdict = validate_with(otelcol, path)
    assert verdict.valid is (example.parent.name == "valid"), verdict.output
