"""The `process` deployer: each variant as a real collector process on this host."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import psutil

from adapters.collector.process import CollectorProcess
from handlers.ports import Deployment, Overhead


@dataclass
class _Running:
    process: CollectorProcess
    config: Path
    cpu_seconds: float
    since: float


class ProcessDeployer:
    """Starts, health-checks, measures and stops collector processes, one per variant."""

    def __init__(self, binary: Path, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.running: dict[tuple[UUID, str], _Running] = {}

    async def deploy(
        self, experiment_id: UUID, variant: str, config: str, health_url: str
    ) -> Deployment:
        key = (experiment_id, variant)
        if key in self.running:  # deploying twice is harmless: a redelivered command
            return self._deployment(key)
        folder = self.workdir / str(experiment_id) / variant
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "config.yaml"
        path.write_text(config)
        process = CollectorProcess(self.binary, path, health_url, folder / "collector.log")
        await asyncio.to_thread(process.start)
        self.running[key] = _Running(process, path, _cpu_seconds(process.pid), time.monotonic())
        return self._deployment(key)

    def _deployment(self, key: tuple[UUID, str]) -> Deployment:
        running = self.running[key]
        return Deployment(
            key[0],
            key[1],
            {"deployer": "process", "pid": str(running.process.pid), "config": str(running.config)},
        )

    async def overhead(self, experiment_id: UUID, variant: str) -> Overhead:
        """CPU in cores averaged since the collector started, and its resident memory now."""
        running = self.running[(experiment_id, variant)]
        pid = running.process.pid
        if pid is None:
            raise RuntimeError(f"{variant} is not running")
        elapsed = max(time.monotonic() - running.since, 1e-6)
        cores = (_cpu_seconds(pid) - running.cpu_seconds) / elapsed
        return Overhead(cpu_cores=cores, resident_bytes=psutil.Process(pid).memory_info().rss)

    async def teardown(self, experiment_id: UUID, variant: str) -> None:
        running = self.running.pop((experiment_id, variant), None)
        if running is not None:
            await asyncio.to_thread(running.process.stop)

    async def teardown_all(self) -> None:
        for experiment_id, variant in list(self.running):
            await self.teardown(experiment_id, variant)


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)
