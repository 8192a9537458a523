"""The `process` deployer: each variant as a real collector process on this host."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import psutil
import yaml

from adapters.collector.process import CollectorProcess
from domain.analysis.windows import Overhead
from domain.experiment.spec import Target
from handlers.ports import CollectorExited, Deployment, DeploymentError
from pipelines import yaml_text


@dataclass
class _Running:
    process: CollectorProcess
    config: Path
    cpu_seconds: float
    since: float


class ProcessDeployer:
    """Starts, health-checks, measures and stops collector processes, one per variant."""

    def __init__(
        self,
        binary: Path,
        workdir: Path,
        *,
        on_teardown: Callable[[str, str], None] | None = None,
    ) -> None:
        self.binary = binary
        self.workdir = workdir
        self.on_teardown = on_teardown
        self.running: dict[tuple[UUID, str], _Running] = {}

    async def deploy(
        self, experiment_id: UUID, variant: str, config: str, *, target: Target | None = None
    ) -> Deployment:
        """A collector process on this host (``target`` names none other)."""
        key = (experiment_id, variant)
        if key in self.running:  # deploying twice is harmless: a redelivered command
            return self._deployment(key)
        folder = self.workdir / str(experiment_id) / variant
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "config.yaml"
        path.write_text(config)
        process = CollectorProcess(self.binary, path, health_url(config), folder / "collector.log")
        try:
            process.spawn()  # in this (the main) thread: the collector dies with Phoenix
            await asyncio.to_thread(process.wait_healthy)
        except (RuntimeError, TimeoutError, OSError) as exc:
            raise DeploymentError(f"{self.binary.name}: {exc}") from exc
        self.running[key] = _Running(process, path, _cpu_seconds(process.pid), time.monotonic())
        return self._deployment(key)

    def _deployment(self, key: tuple[UUID, str]) -> Deployment:
        running = self.running[key]
        return Deployment(
            key[0],
            key[1],
            {"deployer": "process", "pid": str(running.process.pid), "config": str(running.config)},
        )

    async def overhead(self, experiment_id: UUID, variant: str) -> Overhead | None:
        """CPU in cores averaged since the collector started, and its resident memory now."""
        running = self.running.get((experiment_id, variant))
        if running is None:
            return None
        pid = running.process.pid
        if pid is None or not running.process.alive():
            code = running.process.exit_code()
            how = f" (code {code})" if code is not None else ""
            raise CollectorExited(
                f"the {variant} collector exited{how}; see {running.config.parent}"
            )
        elapsed = max(time.monotonic() - running.since, 1e-6)
        try:
            cores = (_cpu_seconds(pid) - running.cpu_seconds) / elapsed
            memory = psutil.Process(pid).memory_info().rss
        except psutil.NoSuchProcess:
            raise CollectorExited(f"the {variant} collector exited") from None
        return Overhead(cpu_cores=cores, resident_bytes=memory)

    async def teardown(self, experiment_id: UUID, variant: str) -> None:
        running = self.running.pop((experiment_id, variant), None)
        if running is not None:
            await asyncio.to_thread(running.process.stop)
        if self.on_teardown is not None:
            self.on_teardown(str(experiment_id), variant)

    async def teardown_all(self) -> None:
        for experiment_id, variant in list(self.running):
            await self.teardown(experiment_id, variant)


def health_url(config: str) -> str:
    """Where the config's health_check extension (``health_check`` or ``health_check/NAME``)
    answers.
    """
    try:
        extensions = (yaml_text.load(config) or {})["extensions"]
        endpoint = next(
            body["endpoint"]
            for name, body in extensions.items()
            if name.split("/", 1)[0] == "health_check"
        )
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, StopIteration) as exc:
        raise DeploymentError(
            "the config has no extensions.health_check.endpoint to wait on"
        ) from exc
    return f"http://{endpoint}/"


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)
