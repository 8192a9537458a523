"""The OTLP sink at fleet scale: ingest rate, memory over a window, analysis time, beside parsing.

What is real: the sink's ingest path (`decode_body`, then `OtlpSink.record` and `notify`, what
the `/v1/metrics` handler calls, minus Litestar's HTTP framing), wired as `phoenix up` wires it
(`gateway/real_adapters.py`): the interval recorder on PostgreSQL (`PostgresIntervals`), its
event store on PostgreSQL, and the observed-baselines copy on disk. Every request is an OTLP
protobuf body, gzip-compressed (the collector's otlphttp default; level 1 here), one per host per
collection interval as the wired batch processor sends for a host of ~570 datapoints. Closed
intervals are flushed to PostgreSQL as each simulated interval ends, and the analysis's reads
(`LocalMetricsSource.window` for every variant) run on what was stored.

What is simulated: time. An experiment (a baseline and a candidate) runs over a window that
ended two minutes before the bench started (from `time.time()`, aligned to the interval), so the
recorder sees every interval as closed when it is flushed; each request is handed over with the
arrival time its host scraped at, never slept for. Hosts: a pool of ``--pool`` realistic hosts is
simulated (`simulator.fleet.Fleet`, seed 1) over the whole window and encoded once, before any
measurement; fleets up to the pool's size are those hosts themselves. Larger fleets reuse them:
host ``v`` sends pool host ``v % pool``'s body with its `host.name` (``host-NNNN``, same length, so
the protobuf stays valid) replaced by its own, hence distinct series, but the same processes,
values and scrape phase as its pool host. Only one variant's collectors send (``--variant``: the
baseline's, which the observed-baselines copy keeps, or the candidate's, which it skips); in
Phoenix every variant's do. Not measured: HTTP (Litestar, uvicorn, the socket), the grace the
recorder's background flush leaves late batches (at most one interval is open here), and the
collectors themselves.

Baseline of the ratio, on the same bodies in the same run: `gzip.decompress` and
`ExportMetricsServiceRequest.ParseFromString` (upb), no conversion and no counting. Each fleet
size runs in a fresh process, so its RSS figures are its own.

    uv run python -m bench.sink_scale [--hosts 10,100,1000] [--interval 10] [--window 600]
        [--pool 100] [--variant baseline|candidate] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import gzip
import io
import multiprocessing
import pstats
import resource
import struct
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import psutil
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

from adapters.local_metrics import LocalMetricsSource
from adapters.measured_intervals import IntervalRecorder
from adapters.observed_baseline import ObservedBaselines
from adapters.otlp_sink import OtlpSink
from adapters.postgres.engine import create_engine
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.measured_intervals import PostgresIntervals
from bench.harness import console, machine, stack, table
from domain.experiment import commands as cmd
from domain.identity import Identity, Role
from domain.mapper import to_envelope
from domain.messages import Command, CommandMetadata
from handlers.analysis import window_cut
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler
from handlers.experiment_state import load
from handlers.ports import EventStore
from simulator.fleet import Fleet
from simulator.otlp import decode_body, encode

NANOS = 1_000_000_000
MIB = 1024 * 1024
VARIANTS = ("baseline", "candidate")
CRITICAL = ("^postgres$",)
FRAME = struct.Struct(">QI")  # arrival offset in the interval (ns), body length
SENDER = Identity("bench", frozenset(Role))


@dataclass(frozen=True)
class Case:
    """One fleet size to measure, in a process of its own."""

    hosts: int
    interval: int
    window: int
    begin: int  # the window's start, seconds since the epoch
    payloads: str  # directory of the pool's bodies, one file per interval
    url: str  # the migrated database
    variant: str
    profile: bool


@dataclass
class Result:
    """What one fleet size measured; times in seconds, memory in bytes."""

    hosts: int
    requests: int = 0
    datapoints: int = 0
    sink_s: float = 0.0
    parse_s: float = 0.0
    flush_s: float = 0.0
    analysis_s: float = 0.0
    rss_start: int = 0
    rss_marks: list[int] = field(default_factory=list)
    peak_ingest: int = 0
    peak_analysis: int = 0
    rss_after_analysis: int = 0
    window_series: int = 0
    window_datapoints: int = 0
    live_series: int = 0
    wall_s: float = 0.0
    profile: str = ""


def host_name(index: int) -> bytes:
    return f"host-{index:04d}".encode()


# -- the pool of simulated hosts ------------------------------------------------------------


def generate(directory: Path, pool: int, steps: int, interval: int, begin: int) -> int:
    """The pool's bodies for every interval of the window, one file per interval; datapoints."""
    fleet = Fleet("realistic", pool, seed=1, start=(begin - 120) * NANOS)
    interval_ns = interval * NANOS
    points = 0
    for step in range(steps):
        at = (begin + step * interval) * NANOS
        with (directory / f"{step}.bin").open("wb") as out:
            for host, batch in zip(fleet.hosts, fleet.scrape(at), strict=True):
                body = encode(batch).SerializeToString()
                points += sum(len(m.points) for rm in batch for m in rm.metrics)
                out.write(FRAME.pack(host.phase % interval_ns, len(body)) + body)
    return points


def read_step(directory: str, step: int) -> list[tuple[int, bytes]]:
    data = (Path(directory) / f"{step}.bin").read_bytes()
    frames, offset = [], 0
    while offset < len(data):
        at, length = FRAME.unpack_from(data, offset)
        offset += FRAME.size
        frames.append((at, data[offset : offset + length]))
        offset += length
    return frames


# -- one fleet size, in its own process -----------------------------------------------------


async def start_experiment(store: EventStore, at: datetime, window: int, interval: int) -> UUID:
    """An experiment of a baseline and a candidate, Running from ``at`` for ``window`` seconds."""
    xid = uuid4()
    every = {"collection_interval": f"{interval}s"}
    commands: list[Command] = [
        cmd.CreateExperiment.model_validate(
            {
                "experiment_id": xid,
                "name": "sink-scale",
                "baseline": {
                    "name": VARIANTS[0],
                    "template": "process-baseline-v1",
                    "variables": every,
                },
                "candidates": [
                    {
                        "name": VARIANTS[1],
                        "template": "process-aggregated-v1",
                        "variables": every,
                    }
                ],
                "duration_seconds": window,
                "critical_processes": list(CRITICAL),
            }
        ),
        cmd.StartExperiment(experiment_id=xid),
        cmd.RecordConfigsGenerated(
            experiment_id=xid,
            configs=tuple(
                cmd.VariantConfig(variant=v, config="receivers: {}", sha256="0" * 64)
                for v in VARIANTS
            ),
        ),
        *(cmd.RecordVariantDeployed(experiment_id=xid, variant=v) for v in VARIANTS),
    ]
    handler = CommandHandler(store, FixedClock(at))
    for command in commands:
        envelope = to_envelope(command, command_id=uuid4(), metadata=CommandMetadata(actor="bench"))
        result = await handler.handle(envelope, SENDER)
        if result.result != "accepted":
            raise RuntimeError(f"{type(command).__name__}: {result.reason}")
    return xid


async def ingest(sink: OtlpSink, body: bytes, experiment: str, variant: str, at: int) -> None:
    """What the sink's `/v1/metrics` handler does with a body, arriving at ``at``."""
    batch = decode_body(body, "gzip")
    sink.requests += 1
    await sink.record(experiment, variant, batch, at)
    await sink.notify()


def parse_only(body: bytes) -> None:
    """The baseline: decompress and parse the protobuf, nothing else."""
    ExportMetricsServiceRequest().ParseFromString(gzip.decompress(body))


def rss() -> int:
    return int(psutil.Process().memory_info().rss)


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


async def measure(case: Case, out: Result) -> None:
    engine = create_engine(case.url, pool_size=2)
    try:
        store = PostgresEventStore(engine)
        start = datetime.fromtimestamp(case.begin, tz=UTC)
        xid = await start_experiment(store, start, case.window, case.interval)
        experiment = str(xid)
        recorder = IntervalRecorder(store, PostgresIntervals(engine))
        steps = case.window // case.interval
        marks = [max(1, steps * q // 4) for q in range(1, 5)]
        names = [host_name(v) for v in range(case.hosts)]
        with tempfile.TemporaryDirectory(prefix="phoenix-bench-observed-") as observed_dir:
            sink = OtlpSink(
                recorder=recorder, observed=ObservedBaselines(Path(observed_dir), store)
            )
            gc.collect()
            out.rss_start = rss()
            for step in range(steps):
                frames = read_step(case.payloads, step)
                interval_start = (case.begin + step * case.interval) * NANOS
                for v in range(case.hosts):
                    offset, body = frames[v % len(frames)]
                    if v >= len(frames):
                        body = body.replace(names[v % len(frames)], names[v])
                    wire = gzip.compress(body, compresslevel=1, mtime=0)
                    t0 = time.perf_counter()
                    parse_only(wire)
                    t1 = time.perf_counter()
                    await ingest(sink, wire, experiment, case.variant, interval_start + offset)
                    out.parse_s += t1 - t0
                    out.sink_s += time.perf_counter() - t1
                del frames, body, wire
                t0 = time.perf_counter()
                await recorder.flush()  # the interval has closed: as the recorder's loop does
                out.flush_s += time.perf_counter() - t0
                if step + 1 in marks:
                    out.rss_marks.append(rss())
            out.peak_ingest = peak_rss()
            out.requests = sink.requests
            out.datapoints = sink.window(experiment, case.variant).datapoints
            out.live_series = sink.window(experiment, case.variant).cardinality
            await recorder.flush(everything=True)

            # The analysis's measurements: every variant's window from what the sink recorded.
            state = await load(store, xid)
            assert state.started_at is not None and state.window_ends_at is not None
            count, _ = window_cut(state)
            source = LocalMetricsSource(recorder)
            t0 = time.perf_counter()
            windows = [
                await source.window(
                    xid,
                    name,
                    start=state.started_at,
                    end=state.window_ends_at,
                    intervals=count,
                    critical_processes=CRITICAL,
                )
                for name in VARIANTS
            ]
            out.analysis_s = time.perf_counter() - t0
            out.peak_analysis = peak_rss()
            out.rss_after_analysis = rss()
            measured = windows[VARIANTS.index(case.variant)]
            out.window_series, out.window_datapoints = measured.series, measured.datapoints
    finally:
        await engine.dispose()


def run_case(case: Case) -> Result:
    """Measure one fleet size (in a fresh process: the pool runs one task per process)."""
    out = Result(case.hosts)
    began = time.perf_counter()
    profiler = cProfile.Profile() if case.profile else None
    if profiler is not None:
        profiler.enable()
    asyncio.run(measure(case, out))
    if profiler is not None:
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(30)
        out.profile = text.getvalue()
    out.wall_s = time.perf_counter() - began
    return out


# -- the run --------------------------------------------------------------------------------


def mib(n: int) -> str:
    return f"{n / MIB:,.0f}"


async def main(
    hosts: list[int], interval: int, window: int, pool: int, variant: str, profile: bool
) -> None:
    steps = window // interval
    if steps < 4:
        raise SystemExit("the window needs at least 4 intervals")
    # Ended two minutes before now: every interval has closed when it is flushed.
    begin = (int(time.time()) - window - 120) // interval * interval
    pool = min(pool, max(hosts))
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="phoenix-bench-sink-") as payloads:
        began = time.perf_counter()
        points = generate(Path(payloads), pool, steps, interval, begin)
        console.print(
            f"pool: {pool} realistic hosts x {steps} intervals, {points:,} datapoints, "
            f"simulated and encoded in {time.perf_counter() - began:.0f} s"
        )
        async with stack() as (_, url):
            context = multiprocessing.get_context("spawn")
            loop = asyncio.get_running_loop()
            for n in hosts:
                case = Case(n, interval, window, begin, payloads, url, variant, profile)
                with ProcessPoolExecutor(1, mp_context=context) as executor:
                    result = await loop.run_in_executor(executor, run_case, case)
                results.append(result)
                console.print(f"{n} hosts: done in {result.wall_s:.0f} s")
                if result.profile:
                    console.print(result.profile, markup=False, highlight=False)
    title = (
        f"realistic, {steps} intervals of {interval} s, variant {variant}, pool of {pool}; "
        f"{machine()}"
    )
    table(
        f"Sink ingest and analysis: {title}",
        [
            "hosts",
            "requests",
            "datapoints",
            "sink req/s",
            "sink dp/s",
            "parse-only dp/s",
            "ratio",
            "flush s",
            "analysis s",
            "series / points in window",
        ],
        [
            [
                f"{r.hosts:,}",
                f"{r.requests:,}",
                f"{r.datapoints:,}",
                f"{r.requests / r.sink_s:,.0f}",
                f"{r.datapoints / r.sink_s:,.0f}",
                f"{r.datapoints / r.parse_s:,.0f}",
                f"{r.parse_s / r.sink_s:.3f}",
                f"{r.flush_s:.1f}",
                f"{r.analysis_s:.2f}",
                f"{r.window_series:,} / {r.window_datapoints:,}",
            ]
            for r in results
        ],
    )
    table(
        "RSS, MiB (each fleet in a fresh process; growth from the start of the window)",
        [
            "hosts",
            "start",
            "1/4",
            "1/2",
            "3/4",
            "end",
            "peak growth, ingest",
            "peak growth, with analysis",
            "after analysis",
            "live series in the sink",
        ],
        [
            [
                f"{r.hosts:,}",
                mib(r.rss_start),
                *(mib(m) for m in r.rss_marks),
                mib(r.peak_ingest - r.rss_start),
                mib(r.peak_analysis - r.rss_start),
                mib(r.rss_after_analysis),
                f"{r.live_series:,}",
            ]
            for r in results
        ],
    )
    console.print(
        "ratio: sink datapoints/s over parse-only datapoints/s on the same bodies. Flush (writes "
        "of closed intervals to PostgreSQL) is not in the sink's rate; analysis is every "
        "variant's `LocalMetricsSource.window`."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", default="10,100,1000", help="fleet sizes, comma-separated")
    parser.add_argument("--interval", type=int, default=10, help="collection interval, seconds")
    parser.add_argument("--window", type=int, default=600, help="observation window, seconds")
    parser.add_argument("--pool", type=int, default=100, help="distinct simulated hosts")
    parser.add_argument("--variant", choices=VARIANTS, default=VARIANTS[0])
    parser.add_argument("--profile", action="store_true", help="cProfile each fleet size")
    args = parser.parse_args()
    asyncio.run(
        main(
            [int(h) for h in args.hosts.split(",")],
            args.interval,
            args.window,
            args.pool,
            args.variant,
            args.profile,
        )
    )
