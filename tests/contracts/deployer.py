"""What every deployer must do with a variant's config: run it (twice is harmless), measure it,
and take it down, one variant or everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from handlers.ports import CollectorExited, Deployer


@dataclass
class Deploying:
    """The deployer under test, a valid config for each variant, and how to crash a collector
    (None where the deployer runs no collector process).
    """

    deployer: Deployer
    config: Callable[[UUID, str], str]
    crash: Callable[[UUID, str], None] | None = None


class DeployerContract:
    """Subclass with a ``deploying`` fixture; everything is torn down after each test."""

    async def test_deploying_what_runs_already_is_harmless(self, deploying: Deploying) -> None:
        xid = uuid4()
        first = await deploying.deployer.deploy(xid, "baseline", deploying.config(xid, "baseline"))
        again = await deploying.deployer.deploy(xid, "baseline", deploying.config(xid, "baseline"))
        assert (first.experiment_id, first.variant) == (xid, "baseline")
        assert again == first

    async def test_a_torn_down_variant_has_no_overhead_to_measure(
        self, deploying: Deploying
    ) -> None:
        xid = uuid4()
        await deploying.deployer.deploy(xid, "baseline", deploying.config(xid, "baseline"))
        await deploying.deployer.teardown(xid, "baseline")
        assert await deploying.deployer.overhead(xid, "baseline") is None

    async def test_taking_down_what_does_not_run_is_harmless(self, deploying: Deploying) -> None:
        await deploying.deployer.teardown(uuid4(), "never-deployed")

    async def test_teardown_all_takes_every_variant_down(self, deploying: Deploying) -> None:
        xid = uuid4()
        for variant in ("baseline", "candidate"):
            await deploying.deployer.deploy(xid, variant, deploying.config(xid, variant))
        await deploying.deployer.teardown_all()
        for variant in ("baseline", "candidate"):
            assert await deploying.deployer.overhead(xid, variant) is None

    async def test_a_running_variants_overhead_is_measured_or_none_where_nothing_runs(
        self, deploying: Deploying
    ) -> None:
        xid = uuid4()
        await deploying.deployer.deploy(xid, "baseline", deploying.config(xid, "baseline"))
        overhead = await deploying.deployer.overhead(xid, "baseline")
        if deploying.crash is None:
            assert overhead is None
        else:
            assert overhead is not None
            assert overhead.cpu_cores >= 0 and overhead.resident_bytes > 0

    async def test_a_collector_that_exited_is_reported_as_exited_not_as_zero(
        self, deploying: Deploying
    ) -> None:
        if deploying.crash is None:
            pytest.skip("this deployer runs no collector process that could exit")
        xid = uuid4()
        await deploying.deployer.deploy(xid, "baseline", deploying.config(xid, "baseline"))
        deploying.crash(xid, "baseline")
        with pytest.raises(CollectorExited, match="baseline collector exited"):
            await deploying.deployer.overhead(xid, "baseline")
