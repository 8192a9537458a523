"""The `prometheus` metrics source: each variant's series, datapoints and critical processes per
interval, counted by PromQL over the experiment's window; its collectors' own counters beside them.

A series is a metric name and its label set: every resource attribute (promoted to a label) and
every point attribute, the variant's two ``phoenix.*`` labels aside. That is the local sink's
identity (resource attributes, metric name, point attributes) under Prometheus's renaming, so the
two count the same series on the same data. Range functions drop the metric name, so each metric
is counted on its own and the counts added up here (two metrics with one label set would
otherwise collide in one query).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.prometheus.api import PrometheusApi, PrometheusUnavailable, Sample
from adapters.prometheus.labels import (
    NOT_OUTPUT,
    POINT_ATTRIBUTES,
    Labels,
    anywhere,
    quote,
    selector,
)
from domain.analysis.critical import EXECUTABLE, critical_processes, identity
from domain.analysis.windows import CollectorReport, Slice, VariantWindow
from domain.telemetry.model import Attributes, attributes
from pipelines.wiring import EXPERIMENT_ATTRIBUTE, PROMETHEUS_EXPORTER, VARIANT_ATTRIBUTE

# The collector's own metrics, as Prometheus names them (counters get `_total`, units a suffix).
CPU = "otelcol_process_cpu_seconds_total"
MEMORY = "otelcol_process_memory_rss_bytes"
POINTS_IN = "otelcol_receiver_accepted_metric_points_total"
POINTS_OUT = "otelcol_exporter_sent_metric_points_total"
POINTS_FAILED = "otelcol_exporter_send_failed_metric_points_total"
_NOT_IDENTITY = {"__name__", "job", "instance"}
EDGE = 0.001


async def _nothing() -> list[tuple[dict[str, str], list[Sample]]]:
    return []


def _ms(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"


class PrometheusMetricsSource:
    """Reads what the variants exported to a Prometheus (see the module docstring)."""

    def __init__(self, api: PrometheusApi, *, labels: Labels | None = None) -> None:
        self.api = api
        self.labels = labels or Labels()
        # Labels a series has that are not its process's: its name, Prometheus's own, ours.
        self._not_identity = _NOT_IDENTITY | {
            self.labels.name(EXPERIMENT_ATTRIBUTE),
            self.labels.name(VARIANT_ATTRIBUTE),
        }

    @classmethod
    async def connect(
        cls, url: str, *, headers: dict[str, str] | None = None
    ) -> PrometheusMetricsSource:
        """A source on the Prometheus at ``url``, its label names read from its config; refuses
        (PrometheusUnavailable, saying what to set) a Prometheus that would fold processes together.
        """
        api = PrometheusApi(url, headers=headers)
        try:
            config = (await api.config()).get("otlp") or {}
        except PrometheusUnavailable:
            await api.close()
            raise
        promoted = set(config.get("promote_resource_attributes") or ())
        if (
            not config.get("promote_all_resource_attributes")
            and not {
                "process.pid",
                EXPERIMENT_ATTRIBUTE,
                VARIANT_ATTRIBUTE,
            }
            <= promoted
        ):
            await api.close()
            raise PrometheusUnavailable(
                f"Prometheus at {url} keeps resource attributes out of series labels, so every "
                "process would fold into one series: set otlp.promote_all_resource_attributes: "
                'true in its config (README "Measuring through Prometheus")'
            )
        strategy = str(config.get("translation_strategy") or "UnderscoreEscapingWithSuffixes")
        return cls(api, labels=Labels(utf8=not strategy.startswith("UnderscoreEscaping")))

    async def close(self) -> None:
        await self.api.close()

    def _variant(self, experiment_id: UUID, variant: str, *extra: str) -> str:
        return selector(*self.labels.variant(str(experiment_id), variant), *extra)

    async def window(
        self,
        experiment_id: UUID,
        variant: str,
        *,
        start: datetime,
        end: datetime,
        intervals: int,
        critical_processes: Sequence[str],
    ) -> VariantWindow:
        if intervals < 1:
            raise ValueError("a window needs at least one interval")
        begin, finish = start.timestamp(), end.timestamp()
        step = (finish - begin) / intervals
        output = self._variant(experiment_id, variant, f'__name__!~"{NOT_OUTPUT}"')
        names = await self.api.metric_names(output, start=begin, end=finish)
        patterns = tuple(critical_processes)
        per_metric = await asyncio.gather(
            *(self._metric(experiment_id, variant, n, begin, finish, step, patterns) for n in names)
        )
        series = [0] * intervals
        datapoints = [0] * intervals
        critical: list[set[Attributes]] = [set() for _ in range(intervals)]
        total_series = 0
        for whole, counts, points, found in per_metric:
            total_series += whole
            for i in range(intervals):
                series[i] += counts[i]
                datapoints[i] += points[i]
                critical[i] |= found[i]
        return VariantWindow(
            series=total_series,
            datapoints=sum(datapoints),
            critical=frozenset(set().union(*critical)),
            intervals=tuple(
                Slice(series=s, datapoints=d, critical=frozenset(c))
                for s, d, c in zip(series, datapoints, critical, strict=True)
            ),
        )

    async def _metric(
        self,
        experiment_id: UUID,
        variant: str,
        name: str,
        begin: float,
        finish: float,
        step: float,
        patterns: tuple[str, ...],
    ) -> tuple[int, list[int], list[int], list[set[Attributes]]]:
        """One metric's distinct series over the window, and per interval its series,
        datapoints and critical processes.
        """
        count = round((finish - begin) / step)
        metric = f"__name__={quote(name)}"
        chosen = self._variant(experiment_id, variant, metric)
        lookback, whole = _ms(step), _ms(finish - begin)
        # A range (t - d, t] at t = an interval's end less 1 ms is [start, end) at Prometheus's
        # millisecond precision: what arrives at a window's end counts in the next, as locally.
        at = {"start": begin + step - EDGE, "end": finish - EDGE, "step": step}
        grouped = ""
        if patterns:
            matching = self._variant(
                experiment_id,
                variant,
                metric,
                self.labels.matcher(EXECUTABLE, "=~", anywhere(patterns)),
            )
            keep_apart = ", ".join(POINT_ATTRIBUTES)
            grouped = f"group without ({keep_apart}) (count_over_time({matching}[{lookback}]))"
        whole_answer, series_answer, points_answer, critical_answer = await asyncio.gather(
            self.api.instant(f"count(count_over_time({chosen}[{whole}]))", finish - EDGE),
            self.api.range(f"count(count_over_time({chosen}[{lookback}]))", **at),
            self.api.range(f"sum(count_over_time({chosen}[{lookback}]))", **at),
            self.api.range(grouped, **at) if patterns else _nothing(),
        )
        whole_count = int(whole_answer[0][1]) if whole_answer else 0
        series = self._by_interval(series_answer, begin, step, count)
        points = self._by_interval(points_answer, begin, step, count)
        found: list[set[Attributes]] = [set() for _ in range(count)]
        matcher = critical_processes(patterns)
        for labels, samples in critical_answer:
            resource = self._resource(labels)
            if not matcher(resource):  # PromQL's regex agrees; RE2 has the last word
                continue
            process = identity(resource)
            for t, _ in samples:
                found[self._index(t, begin, step, count)].add(process)
        return whole_count, series, points, found

    def _by_interval(
        self,
        answer: list[tuple[dict[str, str], list[tuple[float, float]]]],
        begin: float,
        step: float,
        count: int,
    ) -> list[int]:
        out = [0] * count
        for _, samples in answer:
            for t, value in samples:
                out[self._index(t, begin, step, count)] += int(value)
        return out

    @staticmethod
    def _index(t: float, begin: float, step: float, count: int) -> int:
        return min(count - 1, max(0, round((t + EDGE - begin) / step) - 1))

    def _resource(self, labels: dict[str, str]) -> Attributes:
        """A process's resource attributes from a series' labels, by their OTel names."""
        named = (
            (self.labels.attribute(k), v) for k, v in labels.items() if k not in self._not_identity
        )
        return attributes((k, self.labels.value(k, v)) for k, v in named)

    async def collectors(
        self, experiment_id: UUID, variant: str, *, start: datetime, end: datetime
    ) -> CollectorReport | None:
        """What the variant's collectors report of themselves over the window (their own
        telemetry, pushed beside their output): CPU, resident memory, points in and out; None
        if no collector of the variant reported.
        """
        begin, finish = start.timestamp(), end.timestamp()
        whole = _ms(finish - begin)

        def named(metric: str, *extra: str) -> str:
            return self._variant(experiment_id, variant, f"__name__={quote(metric)}", *extra)

        to_prometheus = f"exporter={quote(PROMETHEUS_EXPORTER)}"
        cpu, memory, points_in, points_out, points_failed = await asyncio.gather(
            self.api.instant(f"max(rate({named(CPU)}[{whole}]))", finish),
            self.api.instant(f"max(max_over_time({named(MEMORY)}[{whole}]))", finish),
            self._growth(named(POINTS_IN), begin, finish),
            self._growth(named(POINTS_OUT, to_prometheus), begin, finish),
            self._growth(named(POINTS_FAILED, to_prometheus), begin, finish),
        )
        if not cpu and not memory:
            return None
        if points_in is not None:
            # An exporter's counters are made by their first use: absent, none was sent (failed).
            points_out = points_out or 0
            points_failed = points_failed or 0
        return CollectorReport(
            cpu_cores=cpu[0][1] if cpu else 0.0,
            resident_bytes=int(memory[0][1]) if memory else 0,
            points_in=points_in,
            points_out=points_out,
            points_failed=points_failed,
        )

    async def _growth(self, counters: str, begin: float, finish: float) -> int | None:
        """How much the counters grew over [begin, finish]: their last values at the end less
        those at the start, summed over the collectors (a collector started in the window
        counts from zero).
        """
        span = _ms(finish - begin + 60)
        at_end, at_start = await asyncio.gather(
            self.api.instant(f"last_over_time({counters}[{span}])", finish),
            self.api.instant(f"last_over_time({counters}[{span}])", begin),
        )
        if not at_end:
            return None
        before = {_key(labels): value for labels, value in at_start}
        return int(sum(value - before.get(_key(labels), 0.0) for labels, value in at_end))


def _key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))
