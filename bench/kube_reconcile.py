"""The operator's reconcile latency: a ProcessPipeline changed -> its DaemonSet updated, p50/p99.

Baseline, measured in the same run on the same API server: the same DaemonSet change applied by
the client itself, timed the same way (request sent -> the change seen on a watch). The ratio is
what the operator adds (its watch, queue, dry run and apply) to the API server's own round trip.

    uv run python -m bench.kube_reconcile [--changes 100]

Needs scripts/build-kube's binaries (or PHOENIX_KUBE_BIN).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from adapters.kube.api import DAEMON_SETS, PROCESS_PIPELINES, KubeApi
from adapters.kube.crds import GROUP, VERSION
from adapters.kube.manifests import children
from adapters.kube.operator import CHILDREN, Operator
from bench.harness import machine, table
from domain.cluster.commands import RecordPipelineDrift
from tests.kube import KubeServers, find_kube, with_crds
from tests.pipeline_configs import EXAMPLE

NAMESPACE = "bench"


async def _no_drift(command: RecordPipelineDrift, uid: str) -> None:
    raise RuntimeError(f"unexpected drift: {command}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Seen:
    """Watches DaemonSets and notes when each ``rev`` label value first appears."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.changed = asyncio.Event()

    async def watch(self, api: KubeApi, stop: asyncio.Event) -> None:
        _, version = await api.list(DAEMON_SETS, NAMESPACE, labels=CHILDREN)
        while not stop.is_set():
            async for event in api.watch(
                DAEMON_SETS, version, NAMESPACE, labels=CHILDREN, timeout_seconds=60
            ):
                obj = event["object"]
                version = obj["metadata"]["resourceVersion"]
                rev = (obj["metadata"].get("labels") or {}).get("rev")
                if rev is not None and rev not in self.at:
                    self.at[rev] = time.perf_counter()
                    self.changed.set()

    async def until(self, rev: str) -> float:
        while rev not in self.at:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 30)
        return self.at[rev]


async def measure(
    changes: int, change: Callable[[str], Awaitable[Any]], seen: Seen, prefix: str
) -> list[float]:
    latencies = []
    for n in range(changes):
        rev = f"{prefix}{n}"
        sent = time.perf_counter()
        await change(rev)
        latencies.append(await seen.until(rev) - sent)
    return latencies


async def run(changes: int) -> None:
    found = find_kube()
    if found is None:
        raise SystemExit("no kube-apiserver: run scripts/build-kube or set PHOENIX_KUBE_BIN")
    with tempfile.TemporaryDirectory(prefix="phoenix-bench-kube-") as tmp:
        kube = KubeServers(found, Path(tmp)).start()
        api = await KubeApi.connect(kube.kubeconfig)
        stop = asyncio.Event()
        try:
            async with with_crds(kube, NAMESPACE):
                operator = Operator(api, _no_drift, namespace=NAMESPACE)
                seen = Seen()
                tasks = [
                    asyncio.create_task(operator.run(stop)),
                    asyncio.create_task(seen.watch(api, stop)),
                ]
                await operator.synced()
                pipeline = await api.create(
                    PROCESS_PIPELINES,
                    NAMESPACE,
                    {
                        "apiVersion": f"{GROUP}/{VERSION}",
                        "kind": "ProcessPipeline",
                        "metadata": {"name": "bench"},
                        "spec": {"config": EXAMPLE, "labels": {"rev": "start"}},
                    },
                )
                await seen.until("start")

                async def through_operator(rev: str) -> None:
                    await api.merge_patch(
                        PROCESS_PIPELINES, NAMESPACE, "bench", {"spec": {"labels": {"rev": rev}}}
                    )

                _, daemon_set = children(pipeline)

                async def direct(rev: str) -> None:
                    daemon_set["metadata"]["labels"]["rev"] = rev
                    await api.apply(daemon_set)

                operated = await measure(changes, through_operator, seen, "op-")
                # The operator would put a direct change back: stop it before the baseline.
                stop.set()
                await tasks[0]
                stop.clear()
                baseline = await measure(changes, direct, seen, "direct-")
                stop.set()
                tasks[1].cancel()
        finally:
            await api.close()
            kube.stop()
    rows = []
    for name, q in (("p50", 0.5), ("p99", 0.99), ("mean", -1.0)):
        pick = statistics.fmean if q < 0 else (lambda v, q=q: percentile(v, q))
        ours, theirs = pick(operated), pick(baseline)
        rows.append([name, f"{ours * 1000:.1f}", f"{theirs * 1000:.1f}", f"{ours / theirs:.2f}"])
    table(
        f"ProcessPipeline change -> DaemonSet updated, {changes} changes ({machine()})",
        ["", "operator ms", "direct apply ms", "ratio"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=100)
    asyncio.run(run(parser.parse_args().changes))


if __name__ == "__main__":
    main()
