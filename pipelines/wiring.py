"""Wire a user's collector config into an experiment: keep its process-metrics pipeline as is,
route its output to Phoenix.

What a registered pipeline becomes when it runs as a variant, exactly:

* Kept unchanged: the one metrics pipeline whose receivers include a ``hostmetrics`` receiver
  with the ``process`` scraper, that receiver's config (every scraper, the collection interval),
  and every processor the pipeline lists, in its order.
* Removed: the pipeline's other receivers and exporters, every other pipeline, connectors and
  the user's extensions. Side by side on one host, each would claim the same ports or send the
  experiment's data to production backends twice.
* Added: the exporter ``otlphttp/phoenix`` (Phoenix's sink, with the headers
  ``x-phoenix-experiment``, ``x-phoenix-variant``, ``x-phoenix-pipeline`` and
  ``x-phoenix-pipeline-sha256``), as the pipeline's only exporter; the extension
  ``health_check/phoenix`` on the port Phoenix assigns; and ``service.telemetry.metrics`` on the
  port Phoenix assigns, or off.
* With a Prometheus to measure through (``prometheus_otlp_endpoint``): the processor
  ``resource/phoenix``, last in the pipeline, upserting the resource attributes
  ``phoenix.experiment`` and ``phoenix.variant`` (Prometheus keeps no headers; Phoenix's sink
  drops these two again, so what it measures is unchanged); the exporter ``otlphttp/prometheus``
  beside Phoenix's; and the collector's own metrics pushed there too, every 2 s, with the same
  two attributes on their resource.

A config Phoenix cannot wire so (no such receiver, no metrics pipeline reading from it, two of
them, or connectors in it) is refused with the reason.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import yaml

from pipelines import yaml_text
from pipelines.catalog import wiring_defaults
from pipelines.ottl.functions import duration_nanos

EXPORTER = "otlphttp/phoenix"
HEALTH_CHECK = "health_check/phoenix"
PROMETHEUS_EXPORTER = "otlphttp/prometheus"
LABELLER = "resource/phoenix"
EXPERIMENT_ATTRIBUTE = "phoenix.experiment"
VARIANT_ATTRIBUTE = "phoenix.variant"
TELEMETRY_INTERVAL_MS = 2000
DEFAULT_COLLECTION_INTERVAL = "1m"  # the collector's scraper default


class NotWireable(ValueError):
    """Phoenix cannot run this config as a variant; the message says why and where."""


@dataclass(frozen=True)
class ProcessPipeline:
    """Where a config's process metrics flow: the pipeline and its hostmetrics receivers."""

    name: str
    receivers: tuple[str, ...]
    processors: tuple[str, ...]


def _kind(component: str) -> str:
    return component.split("/", 1)[0]


def process_pipeline(config: dict[str, Any]) -> ProcessPipeline:
    """The metrics pipeline that reads process metrics, or NotWireable saying why none does."""
    receivers = config.get("receivers") or {}
    scraping = sorted(
        name
        for name, body in receivers.items()
        if _kind(name) == "hostmetrics" and "process" in ((body or {}).get("scrapers") or {})
    )
    if not scraping:
        raise NotWireable(
            "receivers: no hostmetrics receiver with the process scraper; Phoenix compares "
            "process metrics, so a pipeline must scrape them"
        )
    pipelines = ((config.get("service") or {}).get("pipelines")) or {}
    reading = [
        (name, body or {})
        for name, body in pipelines.items()
        if _kind(name) == "metrics" and set((body or {}).get("receivers") or ()) & set(scraping)
    ]
    if not reading:
        raise NotWireable(
            f"service.pipelines: no metrics pipeline receives from {', '.join(scraping)}"
        )
    if len(reading) > 1:
        names = ", ".join(name for name, _ in reading)
        raise NotWireable(
            f"service.pipelines: {names} all read process metrics; Phoenix compares one "
            "pipeline, so register a config with one"
        )
    name, body = reading[0]
    connectors = set(config.get("connectors") or {}) & set(body.get("receivers") or ())
    if connectors:
        raise NotWireable(
            f"service.pipelines.{name}.receivers: connectors ({', '.join(sorted(connectors))}) "
            "feed it from other pipelines, which Phoenix does not run side by side"
        )
    return ProcessPipeline(
        name,
        tuple(r for r in body.get("receivers") or () if r in scraping),
        tuple(body.get("processors") or ()),
    )


def wire(text: str, wiring: dict[str, Any]) -> str:
    """The config Phoenix deploys for a user's ``text`` (see the module's docstring).

    ``wiring``: ``otlp_endpoint``, ``health_check_endpoint``, ``experiment_id``, ``variant``,
    and optionally ``telemetry_metrics_port``, ``pipeline`` and ``sha256``.
    """
    wiring = {**wiring_defaults(), **wiring}
    config = yaml_text.load(text)
    if not isinstance(config, dict):
        raise NotWireable("(document): a collector config must be a YAML map")
    found = process_pipeline(config)
    receivers = config["receivers"]
    processors = config.get("processors") or {}
    headers = {
        "x-phoenix-experiment": str(wiring["experiment_id"]),
        "x-phoenix-variant": str(wiring["variant"]),
    }
    if wiring.get("pipeline"):
        headers["x-phoenix-pipeline"] = str(wiring["pipeline"])
        headers["x-phoenix-pipeline-sha256"] = str(wiring["sha256"])
    telemetry = telemetry_section(wiring)
    wired: dict[str, Any] = {
        "extensions": {HEALTH_CHECK: {"endpoint": wiring["health_check_endpoint"]}},
        "receivers": {name: copy.deepcopy(receivers[name]) for name in found.receivers},
        "processors": {
            name: copy.deepcopy(processors[name]) for name in found.processors if name in processors
        },
        "exporters": {EXPORTER: {"endpoint": wiring["otlp_endpoint"], "headers": headers}},
        "service": {
            "telemetry": telemetry,
            "extensions": [HEALTH_CHECK],
            "pipelines": {
                found.name: {
                    "receivers": list(found.receivers),
                    "processors": list(found.processors),
                    "exporters": [EXPORTER],
                }
            },
        },
    }
    prometheus = wiring.get("prometheus_otlp_endpoint")
    if prometheus:
        pipeline = wired["service"]["pipelines"][found.name]
        wired["processors"][LABELLER] = {"attributes": labelling(wiring)}
        pipeline["processors"].append(LABELLER)
        wired["exporters"][PROMETHEUS_EXPORTER] = {"endpoint": str(prometheus)}
        pipeline["exporters"].append(PROMETHEUS_EXPORTER)
    if not wired["processors"]:
        del wired["processors"]
    return yaml.safe_dump(wired, sort_keys=False, width=1_000_000)


def labelling(wiring: dict[str, Any]) -> list[dict[str, str]]:
    """The ``resource/phoenix`` processor's actions: the variant's identity on every resource."""
    return [
        {"key": EXPERIMENT_ATTRIBUTE, "value": str(wiring["experiment_id"]), "action": "upsert"},
        {"key": VARIANT_ATTRIBUTE, "value": str(wiring["variant"]), "action": "upsert"},
    ]


def telemetry_section(wiring: dict[str, Any]) -> dict[str, Any]:
    """``service.telemetry``: the collector's own metrics pulled on the assigned port, pushed to
    Prometheus when measuring through one, or off (side by side, collectors would all claim :8888).
    """
    readers: list[dict[str, Any]] = []
    port = wiring.get("telemetry_metrics_port")
    if port:
        readers.append(
            {"pull": {"exporter": {"prometheus": {"host": "127.0.0.1", "port": int(port)}}}}
        )
    prometheus = wiring.get("prometheus_otlp_endpoint")
    if prometheus:
        readers.append(
            {
                "periodic": {
                    "interval": TELEMETRY_INTERVAL_MS,
                    "exporter": {
                        "otlp": {
                            "protocol": "http/protobuf",
                            "endpoint": f"{str(prometheus).rstrip('/')}/v1/metrics",
                        }
                    },
                }
            }
        )
    if not readers:
        return {"metrics": {"level": "none"}}
    section: dict[str, Any] = {"metrics": {"readers": readers}}
    if prometheus:
        section["resource"] = {
            "attributes": [
                {"name": EXPERIMENT_ATTRIBUTE, "value": str(wiring["experiment_id"])},
                {"name": VARIANT_ATTRIBUTE, "value": str(wiring["variant"])},
            ]
        }
    return section


def collection_interval_seconds(text: str) -> float:
    """How often the config's process pipeline scrapes (its first hostmetrics receiver's)."""
    config = yaml_text.load(text)
    found = process_pipeline(config)
    body = config["receivers"][found.receivers[0]] or {}
    return duration_nanos(str(body.get("collection_interval", DEFAULT_COLLECTION_INTERVAL))) / 1e9


def interval_text(seconds: float) -> str:
    """A collection interval as the collector writes it: ``10s``, ``250ms``."""
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{round(seconds * 1000)}ms"


def enabled_metrics(text: str) -> list[str]:
    """The metrics the config's process scraper turns on beyond the scraper's defaults
    (``metrics: {NAME: {enabled: true}}``), in the order written.
    """
    config = yaml_text.load(text)
    found = process_pipeline(config)
    scrapers = (config["receivers"][found.receivers[0]] or {}).get("scrapers") or {}
    metrics = (scrapers.get("process") or {}).get("metrics") or {}
    return [name for name, body in metrics.items() if (body or {}).get("enabled") is True]
