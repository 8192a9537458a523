"""Simulated telemetry as OTLP: protobuf encoding and decoding, and an OTLP/HTTP exporter."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence

import httpx
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2 as pb

from domain.telemetry.model import (
    Attributes,
    AttrValue,
    Batch,
    DataPoint,
    Metric,
    MetricType,
    ResourceMetrics,
    Temporality,
)

_TEMPORALITY = {
    Temporality.UNSPECIFIED: pb.AGGREGATION_TEMPORALITY_UNSPECIFIED,
    Temporality.DELTA: pb.AGGREGATION_TEMPORALITY_DELTA,
    Temporality.CUMULATIVE: pb.AGGREGATION_TEMPORALITY_CUMULATIVE,
}
_FROM_TEMPORALITY = {v: k for k, v in _TEMPORALITY.items()}


def _value(v: AttrValue) -> AnyValue:
    if isinstance(v, bool):
        return AnyValue(bool_value=v)
    if isinstance(v, int):
        return AnyValue(int_value=v)
    if isinstance(v, float):
        return AnyValue(double_value=v)
    return AnyValue(string_value=str(v))


def _attributes(attrs: Attributes) -> list[KeyValue]:
    return [KeyValue(key=k, value=_value(v)) for k, v in attrs]


def _point(p: DataPoint) -> pb.NumberDataPoint:
    point = pb.NumberDataPoint(
        attributes=_attributes(p.attributes),
        start_time_unix_nano=p.start_time_unix_nano,
        time_unix_nano=p.time_unix_nano,
    )
    if p.is_int:
        point.as_int = int(p.value)
    else:
        point.as_double = p.value
    return point


def encode(batch: Iterable[ResourceMetrics]) -> ExportMetricsServiceRequest:
    request = ExportMetricsServiceRequest()
    for rm in batch:
        out = request.resource_metrics.add()
        out.resource.attributes.extend(_attributes(rm.resource))
        scope = out.scope_metrics.add(scope=InstrumentationScope(name=rm.scope))
        for m in rm.metrics:
            metric = scope.metrics.add(name=m.name, unit=m.unit, description=m.description)
            points = [_point(p) for p in m.points]
            if m.type is MetricType.SUM:
                metric.sum.data_points.extend(points)
                metric.sum.aggregation_temporality = _TEMPORALITY[m.temporality]
                metric.sum.is_monotonic = m.monotonic
            else:
                metric.gauge.data_points.extend(points)
    return request


def _from_any(v: AnyValue) -> AttrValue:
    kind = v.WhichOneof("value")
    if kind == "string_value":  # most of them, first
        return v.string_value
    if kind in ("bool_value", "int_value", "double_value"):
        value: AttrValue = getattr(v, kind)
        return value
    raise ValueError(f"attribute values of kind {kind} are not part of process telemetry")


def _attrs(kvs: Sequence[KeyValue]) -> Attributes:
    # Most datapoints carry no attribute or one (a process's state, a direction): no sort.
    if not kvs:
        return ()
    if len(kvs) == 1:
        kv = kvs[0]
        return ((kv.key, _from_any(kv.value)),)
    return tuple(sorted([(kv.key, _from_any(kv.value)) for kv in kvs]))


def _points(data_points: Iterable[pb.NumberDataPoint]) -> list[DataPoint]:
    points = []
    for p in data_points:
        is_int = p.WhichOneof("value") == "as_int"
        value = float(p.as_int) if is_int else p.as_double
        points.append(
            DataPoint(_attrs(p.attributes), value, p.start_time_unix_nano, p.time_unix_nano, is_int)
        )
    return points


def decode(request: ExportMetricsServiceRequest) -> Batch:
    """The model's view of an OTLP request (sums and gauges; other types are refused)."""
    batch: Batch = []
    for rm in request.resource_metrics:
        resource = _attrs(rm.resource.attributes)
        for sm in rm.scope_metrics:
            metrics = []
            for m in sm.metrics:
                kind = m.WhichOneof("data")
                if kind not in ("sum", "gauge"):
                    raise ValueError(
                        f"{m.name}: OTLP {kind} metrics are not part of process telemetry"
                    )
                data = getattr(m, kind)
                points = _points(data.data_points)
                if kind == "sum":
                    metric = Metric(
                        m.name,
                        MetricType.SUM,
                        m.unit,
                        m.description,
                        data.is_monotonic,
                        _FROM_TEMPORALITY[data.aggregation_temporality],
                        points,
                    )
                else:
                    metric = Metric(m.name, MetricType.GAUGE, m.unit, m.description, points=points)
                metrics.append(metric)
            batch.append(ResourceMetrics(resource, metrics, sm.scope.name))
    return batch


class OtlpHttpExporter:
    """Sends batches to any OTLP/HTTP receiver (POST {endpoint}/v1/metrics, protobuf)."""

    def __init__(
        self, endpoint: str, *, headers: dict[str, str] | None = None, timeout: float = 10.0
    ) -> None:
        self.url = endpoint.rstrip("/") + "/v1/metrics"
        self.client = httpx.AsyncClient(
            timeout=timeout, headers={"Content-Type": "application/x-protobuf", **(headers or {})}
        )

    async def export(self, batch: Batch) -> None:
        response = await self.client.post(self.url, content=encode(batch).SerializeToString())
        if response.status_code >= 300:
            raise RuntimeError(
                f"OTLP receiver at {self.url} answered {response.status_code}: {response.text[:200]}"
            )

    async def close(self) -> None:
        await self.client.aclose()


def decode_body(body: bytes, content_encoding: str | None) -> Batch:
    """An OTLP/HTTP protobuf request body, as any exporter sends it (the collector gzips)."""
    if content_encoding == "gzip":
        body = gzip.decompress(body)
    elif content_encoding not in (None, "", "identity"):
        raise ValueError(f"unsupported Content-Encoding {content_encoding!r}")
    request = ExportMetricsServiceRequest()
    request.ParseFromString(body)
    return decode(request)
