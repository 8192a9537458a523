"""What the hostmetrics process scraper emits for one process at one instant."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from domain.telemetry.model import DataPoint, Metric, MetricType, ResourceMetrics, Temporality
from simulator.process import SimProcess

SCOPE = "github.com/open-telemetry/opentelemetry-collector-contrib/receiver/hostmetricsreceiver/internal/scraper/processscraper"

DEFAULT_METRICS = (
    "process.cpu.time",
    "process.disk.io",
    "process.memory.usage",
    "process.memory.virtual",
)
OPTIONAL_METRICS = (
    "process.cpu.utilization",
    "process.threads",
    "process.open_file_descriptors",
    "process.context_switches",
    "process.paging.faults",
    "process.disk.operations",
)
ALL_METRICS = DEFAULT_METRICS + OPTIONAL_METRICS

C, SUM, GAUGE = Temporality.CUMULATIVE, MetricType.SUM, MetricType.GAUGE
STATE = (("state", "user"),), (("state", "system"),), (("state", "wait"),)
DIRECTION = (("direction", "read"),), (("direction", "write"),)

Emit = Callable[[SimProcess, int, int], Metric]


def _sum(
    name: str,
    unit: str,
    monotonic: bool,
    points: Iterable[tuple[tuple[tuple[str, str], ...], float]],
    start: int,
    now: int,
    is_int: bool,
) -> Metric:
    return Metric(
        name, SUM, unit, monotonic=monotonic, temporality=C,
        points=[DataPoint(attrs, value, start, now, is_int) for attrs, value in points],
    )  # fmt: skip


EMITTERS: dict[str, Emit] = {
    "process.cpu.time": lambda p, s, t: _sum(
        "process.cpu.time",
        "s",
        True,
        zip(STATE, (p.cpu_user, p.cpu_system, p.cpu_wait), strict=True),
        s,
        t,
        False,
    ),
    "process.disk.io": lambda p, s, t: _sum(
        "process.disk.io",
        "By",
        True,
        zip(DIRECTION, (float(int(p.disk_read)), float(int(p.disk_write))), strict=True),
        s,
        t,
        True,
    ),
    "process.memory.usage": lambda p, s, t: _sum(
        "process.memory.usage", "By", False, [((), float(int(p.memory_bytes)))], s, t, True
    ),
    "process.memory.virtual": lambda p, s, t: _sum(
        "process.memory.virtual", "By", False, [((), float(int(p.memory_bytes * 3.2)))], s, t, True
    ),
    "process.cpu.utilization": lambda p, s, t: Metric(
        "process.cpu.utilization",
        GAUGE,
        "1",
        points=[DataPoint(a, v, s, t) for a, v in zip(STATE, p.last_cpu, strict=True)],
    ),
    "process.threads": lambda p, s, t: _sum(
        "process.threads", "{threads}", False, [((), float(p.threads))], s, t, True
    ),
    "process.open_file_descriptors": lambda p, s, t: _sum(
        "process.open_file_descriptors", "{count}", False, [((), float(p.fds))], s, t, True
    ),
    "process.context_switches": lambda p, s, t: _sum(
        "process.context_switches",
        "{count}",
        True,
        [
            ((("type", "involuntary"),), float(int(p.ctx_involuntary))),
            ((("type", "voluntary"),), float(int(p.ctx_voluntary))),
        ],
        s,
        t,
        True,
    ),
    "process.paging.faults": lambda p, s, t: _sum(
        "process.paging.faults",
        "{faults}",
        True,
        [
            ((("type", "major"),), float(int(p.faults_major))),
            ((("type", "minor"),), float(int(p.faults_minor))),
        ],
        s,
        t,
        True,
    ),
    "process.disk.operations": lambda p, s, t: _sum(
        "process.disk.operations",
        "{operations}",
        True,
        zip(DIRECTION, (float(int(p.disk_ops_read)), float(int(p.disk_ops_write))), strict=True),
        s,
        t,
        True,
    ),
}


def scrape_process(process: SimProcess, now: int, metrics: tuple[str, ...]) -> ResourceMetrics:
    start = process.started_at - process.started_at % 1_000_000  # create time, in milliseconds
    return ResourceMetrics(
        process.resource, [EMITTERS[m](process, start, now) for m in metrics], SCOPE
    )


def check_metrics(names: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(names)
    unknown = [n for n in chosen if n not in EMITTERS]
    if unknown:
        raise ValueError(f"unknown process metrics {unknown}; known: {', '.join(ALL_METRICS)}")
    return chosen
