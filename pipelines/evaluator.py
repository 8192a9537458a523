"""The local collector: runs a config's metrics pipeline over telemetry with the real semantics."""

from __future__ import annotations

from typing import Any

from domain.telemetry.model import Batch, DataPoint, Metric, ResourceMetrics
from pipelines.processors import KINDS
from pipelines.processors.base import Builder, Processor, ProcessorError

BUILDERS: dict[str, Builder] = {
    name: kind.build for name, kind in KINDS.items() if kind.build is not None
}
SUPPORTED = tuple(BUILDERS)


class EvaluatorError(ValueError):
    """The config cannot be evaluated locally; the message says which part and why."""


def metrics_pipeline(config: dict[str, Any]) -> tuple[str, list[str]]:
    pipelines = ((config.get("service") or {}).get("pipelines")) or {}
    for name, pipeline in pipelines.items():
        if name == "metrics" or name.startswith("metrics/"):
            return name, list((pipeline or {}).get("processors") or [])
    raise EvaluatorError("service.pipelines has no metrics pipeline")


class Evaluator:
    def __init__(self, config: dict[str, Any], *, started_at: int = 0) -> None:
        self.pipeline, ids = metrics_pipeline(config)
        defined = config.get("processors") or {}
        self.processors: list[tuple[str, Processor]] = []
        for component in ids:
            kind = component.split("/", 1)[0]
            if component not in defined:
                raise EvaluatorError(
                    f"service.pipelines.{self.pipeline}.processors: {component} is not defined under processors"
                )
            if kind not in BUILDERS:
                raise EvaluatorError(
                    f"processors.{component}: the {kind} processor is not supported by Phoenix's evaluator "
                    f"(supported: {', '.join(SUPPORTED)})"
                )
            try:
                self.processors.append(
                    (
                        component,
                        BUILDERS[kind](
                            f"processors.{component}", defined[component] or {}, started_at
                        ),
                    )
                )
            except ProcessorError as exc:
                raise EvaluatorError(str(exc)) from None

    def run(self, batch: Batch) -> Batch:
        """The pipeline's output for ``batch``; the input is left as it was."""
        out = copy_batch(batch)
        for _, processor in self.processors:
            out = processor.process(out)
            if not out:
                return []
        return out


def copy_batch(batch: Batch) -> Batch:
    return [
        ResourceMetrics(
            rm.resource,
            [
                Metric(
                    m.name,
                    m.type,
                    m.unit,
                    m.description,
                    m.monotonic,
                    m.temporality,
                    [
                        DataPoint(
                            p.attributes,
                            p.value,
                            p.start_time_unix_nano,
                            p.time_unix_nano,
                            p.is_int,
                        )
                        for p in m.points
                    ],
                )
                for m in rm.metrics
            ],
            rm.scope,
        )
        for rm in batch
    ]
