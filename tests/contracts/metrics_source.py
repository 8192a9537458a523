"""What every metrics source must measure of a variant: series, datapoints and critical processes,
whole and per interval of the window, counting only what arrived inside it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.analysis.windows import VariantWindow
from domain.telemetry import model as otel
from handlers.ports import EventStore, MetricsSource
from tests.contracts.experiments import CRITICAL, experiment

AT = datetime(2028, 7, 8, 9, 10, 11, tzinfo=UTC)
SECOND = 1_000_000_000


def process(name: str, pid: int) -> otel.Attributes:
    values: dict[str, otel.AttrValue] = {
        "host.name": "h1",
        "process.executable.name": name,
        "process.pid": pid,
    }
    return otel.attributes(values)


def batch(*processes: tuple[str, int], metrics: int = 2) -> otel.Batch:
    """One scrape of processes (name, pid) on one host, ``metrics`` series each."""
    return [
        otel.ResourceMetrics(
            resource=process(name, pid),
            metrics=[
                otel.Metric(
                    f"process.m{m}", otel.MetricType.GAUGE, points=[otel.DataPoint((), 1.0, 0, 0)]
                )
                for m in range(metrics)
            ],
        )
        for name, pid in processes
    ]


@dataclass
class Measured:
    """The source under test, the store its experiments live in, and how batches reach it."""

    source: MetricsSource
    store: EventStore
    arrive: Callable[[UUID, str, otel.Batch, int], Awaitable[None]]
    settle: Callable[[], Awaitable[object]]


def ns(at: datetime) -> int:
    return int(at.timestamp()) * SECOND


class MetricsSourceContract:
    """Subclass with a ``measured`` fixture (and ``at``, where windows must lie near now)."""

    @pytest.fixture
    def at(self) -> datetime:
        return AT

    async def window(
        self, measured: Measured, at: datetime, xid: UUID, variant: str, intervals: int = 6
    ) -> VariantWindow:
        await measured.settle()
        return await measured.source.window(
            xid,
            variant,
            start=at,
            end=at + timedelta(seconds=60),
            intervals=intervals,
            critical_processes=CRITICAL,
        )

    async def test_a_variant_that_sent_nothing_measures_zero_in_every_interval(
        self, measured: Measured, at: datetime
    ) -> None:
        xid = await experiment(measured.store, at=at, seconds=60)
        window = await self.window(measured, at, xid, "baseline")
        assert (window.series, window.datapoints, window.critical) == (0, 0, frozenset())
        assert [s.series for s in window.intervals] == [0] * 6

    async def test_a_batch_counts_in_the_interval_it_arrived_in(
        self, measured: Measured, at: datetime
    ) -> None:
        xid = await experiment(measured.store, at=at, seconds=60)
        start = ns(at)
        await measured.arrive(
            xid, "baseline", batch(("postgres", 1), ("bash", 2)), start + 5 * SECOND
        )
        await measured.arrive(xid, "baseline", batch(("postgres", 1)), start + 25 * SECOND)
        await measured.arrive(xid, "candidate", batch(("bash", 2)), start + 25 * SECOND)
        window = await self.window(measured, at, xid, "baseline")
        assert [s.series for s in window.intervals] == [4, 0, 2, 0, 0, 0]
        assert [s.datapoints for s in window.intervals] == [4, 0, 2, 0, 0, 0]
        # The whole window counts each series once, however often it came.
        assert (window.series, window.datapoints) == (4, 6)

    async def test_critical_processes_are_those_the_patterns_match_by_full_identity(
        self, measured: Measured, at: datetime
    ) -> None:
        xid = await experiment(measured.store, at=at, seconds=60)
        start = ns(at)
        await measured.arrive(
            xid, "baseline", batch(("postgres", 1), ("postgres", 7), ("postgresql", 3)), start
        )
        window = await self.window(measured, at, xid, "baseline")
        names = sorted(dict(r)["process.pid"] for r in window.critical)
        assert names == [1, 7]
        assert len(window.intervals[0].critical) == 2

    async def test_what_arrived_outside_the_window_does_not_count(
        self, measured: Measured, at: datetime
    ) -> None:
        xid = await experiment(measured.store, at=at, seconds=60)
        start = ns(at)
        await measured.arrive(xid, "baseline", batch(("bash", 2)), start - SECOND)
        await measured.arrive(xid, "baseline", batch(("bash", 2)), start + 60 * SECOND)
        window = await self.window(measured, at, xid, "baseline")
        assert window.datapoints == 0

    async def test_a_window_of_no_intervals_is_refused(
        self, measured: Measured, at: datetime
    ) -> None:
        xid = await experiment(measured.store, at=at, seconds=60)
        with pytest.raises(ValueError, match="at least one interval"):
            await self.window(measured, at, xid, "baseline", intervals=0)
