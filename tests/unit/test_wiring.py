"""A user's config wired into an experiment: its process pipeline kept as is, its output Phoenix's."""

from __future__ import annotations

import pytest
import yaml

from pipelines.validator import validate_text
from pipelines.wiring import NotWireable, collection_interval_seconds, wire
from tests.pipeline_configs import EXAMPLE, user_config

WIRING = {
    "otlp_endpoint": "http://127.0.0.1:4318",
    "health_check_endpoint": "127.0.0.1:13134",
    "experiment_id": "x-1",
    "variant": "prod",
    "pipeline": "prod@2",
    "sha256": "ab" * 32,
}


def test_the_process_pipeline_keeps_its_receiver_and_processors_and_exports_only_to_phoenix() -> (
    None
):
    mine = yaml.safe_load(EXAMPLE)
    wired = validate_text(wire(EXAMPLE, WIRING))
    assert wired["receivers"] == {"hostmetrics": mine["receivers"]["hostmetrics"]}
    assert wired["processors"] == mine["processors"]
    pipeline = wired["service"]["pipelines"]["metrics"]
    assert pipeline == {
        "receivers": ["hostmetrics"],
        "processors": ["memory_limiter", "resource", "batch"],
        "exporters": ["otlphttp/phoenix"],
    }
    assert list(wired["service"]["pipelines"]) == ["metrics"]  # traces went, with otlp
    assert wired["exporters"] == {
        "otlphttp/phoenix": {
            "endpoint": "http://127.0.0.1:4318",
            "headers": {
                "x-phoenix-experiment": "x-1",
                "x-phoenix-variant": "prod",
                "x-phoenix-pipeline": "prod@2",
                "x-phoenix-pipeline-sha256": "ab" * 32,
            },
        }
    }
    assert wired["extensions"] == {"health_check/phoenix": {"endpoint": "127.0.0.1:13134"}}
    assert wired["service"]["extensions"] == ["health_check/phoenix"]
    assert wired["service"]["telemetry"] == {"metrics": {"level": "none"}}


def test_a_telemetry_port_given_is_where_the_collector_s_own_metrics_are_served() -> None:
    wired = yaml.safe_load(wire(EXAMPLE, {**WIRING, "telemetry_metrics_port": 18888}))
    [reader] = wired["service"]["telemetry"]["metrics"]["readers"]
    assert reader["pull"]["exporter"]["prometheus"] == {"host": "127.0.0.1", "port": 18888}


def test_measuring_through_prometheus_labels_every_resource_and_exports_there_too() -> None:
    prometheus = "http://prom:9090/api/v1/otlp"
    wired = validate_text(wire(EXAMPLE, {**WIRING, "prometheus_otlp_endpoint": prometheus}))
    pipeline = wired["service"]["pipelines"]["metrics"]
    assert pipeline["processors"] == ["memory_limiter", "resource", "batch", "resource/phoenix"]
    assert pipeline["exporters"] == ["otlphttp/phoenix", "otlphttp/prometheus"]
    assert wired["processors"]["resource/phoenix"] == {
        "attributes": [
            {"key": "phoenix.experiment", "value": "x-1", "action": "upsert"},
            {"key": "phoenix.variant", "value": "prod", "action": "upsert"},
        ]
    }
    assert wired["exporters"]["otlphttp/prometheus"] == {"endpoint": prometheus}
    telemetry = wired["service"]["telemetry"]
    [reader] = telemetry["metrics"]["readers"]
    assert reader["periodic"]["exporter"]["otlp"]["endpoint"] == f"{prometheus}/v1/metrics"
    assert {a["name"]: a["value"] for a in telemetry["resource"]["attributes"]} == {
        "phoenix.experiment": "x-1",
        "phoenix.variant": "prod",
    }


def test_the_collection_interval_is_the_process_receiver_s_or_the_collector_s_default() -> None:
    assert collection_interval_seconds(EXAMPLE) == 10
    assert collection_interval_seconds(user_config(interval="250ms")) == 0.25
    default = yaml.safe_load(user_config())
    del default["receivers"]["hostmetrics"]["collection_interval"]
    assert collection_interval_seconds(yaml.safe_dump(default)) == 60


def _without_process_scraper() -> str:
    config = yaml.safe_load(user_config())
    config["receivers"]["hostmetrics"]["scrapers"] = {"cpu": {}}
    return yaml.safe_dump(config)


def _not_in_a_pipeline() -> str:
    config = yaml.safe_load(user_config())
    config["service"]["pipelines"]["metrics"]["receivers"] = ["otlp"]
    config["receivers"]["otlp"] = {"protocols": {"http": {}}}
    return yaml.safe_dump(config)


def _two_pipelines() -> str:
    config = yaml.safe_load(user_config())
    pipelines = config["service"]["pipelines"]
    pipelines["metrics/again"] = dict(pipelines["metrics"])
    return yaml.safe_dump(config)


def _fed_by_a_connector() -> str:
    config = yaml.safe_load(user_config())
    config["connectors"] = {"forward": {}}
    config["service"]["pipelines"]["metrics"]["receivers"] = ["hostmetrics", "forward"]
    return yaml.safe_dump(config)


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        (_without_process_scraper(), "receivers: no hostmetrics receiver with the process scraper"),
        (_not_in_a_pipeline(), "service.pipelines: no metrics pipeline receives from hostmetrics"),
        (_two_pipelines(), "service.pipelines: metrics, metrics/again all read process metrics"),
        (_fed_by_a_connector(), "service.pipelines.metrics.receivers: connectors (forward)"),
        ("- a list", "(document): a collector config must be a YAML map"),
    ],
)
def test_a_config_phoenix_cannot_wire_is_refused_with_the_reason(config: str, reason: str) -> None:
    with pytest.raises(NotWireable) as refused:
        wire(config, WIRING)
    assert str(refused.value).startswith(reason)
