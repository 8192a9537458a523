"""The local collector: runs a config's metrics pipeline over telemetry with the real semantics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.telemetry.model import Batch, DataPoint, Metric, ResourceMetrics
from pipelines.processors.attributes import AttributesProcessor, ResourceProcessor
from pipelines.processors.base import Processor, ProcessorError
from pipelines.processors.cumulativetodelta import CumulativeToDeltaProcessor
from pipelines.processors.filter import FilterProcessor
from pipelines.processors.groupbyattrs import GroupByAttrsProcessor
from pipelines.processors.metricstransform import MetricsTransformProcessor
from pipelines.processors.transform import TransformProcessor


class PassThrough:
    """batch and memory_limiter change nothing about what a pipeline emits."""

    def process(self, batch: Batch) -> Batch:
        return batch


Builder = Callable[[str, dict[str, Any], int], Processor]

BUILDERS: dict[str, Builder] = {
    "filter": lambda c, cfg, _: FilterProcessor(c, cfg),
    "transform": lambda c, cfg, _: TransformProcessor(c, cfg),
    "groupbyattrs": lambda c, cfg, _: GroupByAttrsProcessor(c, cfg),
    "resource": lambda c, cfg, _: ResourceProcessor(c, cfg),
    "attributes": lambda c, cfg, _: AttributesProcessor(c, cfg),
    "metricstransform": lambda c, cfg, _: MetricsTransformProcessor(c, cfg),
    "cumulativetodelta": lambda c, cfg, t: CumulativeToDeltaProcessor(c, cfg, started_at=t),
    "batch": lambda c, cfg, _: PassThrough(),
    "memory_limiter": lambda c, cfg, _: PassThrough(),
}
# The names v0.159 gave them; the old ones stay valid as aliases.
BUILDERS["metrics_transform"] = BUILDERS["metricstransform"]
BUILDERS["cumulative_to_delta"] = BUILDERS["cumulativetodelta"]
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
