"""`phoenix demo`: one experiment on the embedded stack, from simulated load to a promotion commit."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID, uuid4

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from adapters.auth.tokens import issue
from adapters.load import LoadGenerator
from adapters.local_deployer import LocalDeployer
from adapters.prometheus.labels import NOT_OUTPUT
from adapters.settings import Settings
from domain.experiment.phase import Phase
from domain.identity import Role
from domain.messages import CommandEnvelope
from gateway.commands import send_and_wait
from gateway.experiment_cli import results_table, short_name
from gateway.runtime import Runtime
from gateway.web_bundle import built
from pipelines.catalog import template
from pipelines.ottl.functions import duration_nanos
from pipelines.recommend import top_by_cpu
from projections import queries
from simulator.fleet import Fleet

DEFAULT_CANDIDATES = ("process-aggregated-v1", "process-topk-v1", "process-priority-filter-v1")
TOKEN_TTL = timedelta(hours=12)
TRAP = "no-postgres"  # a candidate built to drop a critical process, to show it is caught


@dataclass(frozen=True)
class DemoOptions:
    hosts: int = 20
    profile: str = "realistic"
    duration: int = 45
    interval: str = "5s"
    templates: tuple[str, ...] = DEFAULT_CANDIDATES
    trap: bool = True
    seed: int = 1
    keep_running: bool = False


@dataclass
class Demo:
    console: Console
    options: DemoOptions
    runtime: Runtime
    experiment_id: UUID = field(default_factory=uuid4)
    last: dict[str, tuple[int, int]] = field(default_factory=dict)
    token: str | None = field(default=None, repr=False)

    async def command(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send as ``demo``, with an admin token the demo issues itself from the local key."""
        if self.token is None:
            now = datetime.now(UTC)
            self.token = issue(self.runtime.real.key, "demo", [Role.ADMIN], ttl=TOKEN_TTL, now=now)
        envelope = CommandEnvelope(command_id=uuid4(), type=kind, data=data)
        return await send_and_wait(self.runtime.bus, self.runtime.store, envelope, token=self.token)

    def spec(self, keep: list[str], where: str) -> dict[str, Any]:
        o = self.options
        common = {"collection_interval": o.interval}
        critical = list(template("process-baseline-v1").defaults()["critical_processes"])
        candidates = []
        for name in o.templates:
            variables: dict[str, Any] = dict(common)
            if name == "process-topk-v1":
                variables["keep_command_lines"] = keep
            candidates.append({"name": short_name(name), "template": name, "variables": variables})
        if o.trap:
            candidates.append(
                {
                    "name": TRAP,
                    "template": "process-minimal-v1",
                    "variables": {
                        **common,
                        "critical_processes": [c for c in critical if "postgres" not in c],
                    },
                }
            )
        return {
            "experiment_id": str(self.experiment_id),
            "name": f"demo: {len(candidates)} candidates on {where}",
            "description": "phoenix demo",
            "baseline": {
                "name": "baseline",
                "template": "process-baseline-v1",
                "variables": common,
            },
            "candidates": candidates,
            "duration_seconds": o.duration,
            "critical_processes": critical,
        }

    async def experiment(self) -> dict[str, Any]:
        """The experiment as the read model has it; the projection may trail the command's
        outcome by a moment, so this waits for it to appear.
        """
        while True:
            async with self.runtime.engine.connect() as conn:
                found = await queries.get_experiment(conn, self.experiment_id)
            if found is not None:
                return found
            await asyncio.sleep(0.1)

    async def results(self, within: float = 30.0) -> dict[str, Any]:
        """The results read model once it has the verdicts (it may trail the phase by a moment)."""
        deadline = time.monotonic() + within
        while True:
            async with self.runtime.engine.connect() as conn:
                found = await queries.experiment_results(conn, self.experiment_id)
            if found is not None and found["available"]:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"no results for {self.experiment_id} within {within:g}s")
            await asyncio.sleep(0.1)

    def live_table(self, variants: list[str]) -> Table:
        sink = self.runtime.real.sink
        table = Table(title="measured so far", show_edge=False, title_justify="left")
        for column in ("variant", "series", "datapoints"):
            table.add_column(column, justify="left" if column == "variant" else "right")
        for v in variants:
            key = (str(self.experiment_id), v)
            if key in sink.windows:  # after the teardown, the last figures stay on screen
                window = sink.windows[key]
                self.last[v] = (window.cardinality, window.datapoints)
            series, points = self.last.get(v, (0, 0))
            table.add_row(v, f"{series:,}", f"{points:,}")
        return table

    async def watch(self, variants: list[str]) -> dict[str, Any]:
        """Show every phase as it comes, the window's progress and the live counts."""
        seen: list[str] = []
        progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
        window = progress.add_task("observation window", total=self.options.duration, start=False)
        started = None
        with Live(console=self.console, refresh_per_second=4) as live:
            while True:
                found = await self.experiment()
                for change in found["phase_history"]:
                    if change["phase"] not in seen:
                        seen.append(change["phase"])
                        self.console.print(
                            f"  [cyan]{change['phase']:<12}[/] {change['at']:%H:%M:%S}"
                        )
                if found["phase"] == Phase.RUNNING.value and started is None:
                    started = time.monotonic()
                    progress.start_task(window)
                if started is not None:
                    progress.update(
                        window, completed=min(self.options.duration, time.monotonic() - started)
                    )
                live.update(Group(progress, self.live_table(variants)))
                if found["phase"] in (Phase.COMPLETED, Phase.FAILED, Phase.CANCELLED):
                    progress.update(window, completed=self.options.duration)
                    live.update(Group(progress, self.live_table(variants)))
                    return found
                await asyncio.sleep(0.25)


async def run_demo(settings: Settings, options: DemoOptions, console: Console) -> int:
    began = time.monotonic()
    console.print(
        f"[bold]Phoenix demo[/] — data in {settings.data_dir}, deployer {settings.deployer}, "
        f"measured by {settings.metrics_source}"
    )
    runtime = await Runtime.start(settings)
    demo = Demo(console, options, runtime)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    try:
        console.print(f"  stack up in {time.monotonic() - began:.1f}s; API {runtime.api_url}")
        console.print(
            f"  dashboard {runtime.api_url}/"
            + (
                "  (`phoenix dashboard` prints a link that signs you in)"
                if built()
                else "  (not built: run scripts/build-web)"
            ),
            highlight=False,
        )
        prometheus = runtime.real.measuring.prometheus_url
        if prometheus is not None:
            console.print(f"  measured through Prometheus {prometheus}", highlight=False)
        keep: list[str] = []
        deployer = runtime.real.deployer
        if isinstance(deployer, LocalDeployer):
            seconds = duration_nanos(options.interval) / 1e9
            now = time.time_ns()
            fleet = Fleet(
                options.profile,
                options.hosts,
                seed=options.seed,
                start=now - 3 * int(seconds * 1e9),
            )
            # The topk keep-list: the busiest command lines of a warm-up before the experiment.
            warm_up = [b for k in (2, 1) for b in fleet.scrape(now - k * int(seconds * 1e9))]
            keep = top_by_cpu(warm_up, 10)
            tasks.append(
                # Each variant scrapes at its own moment of the interval, as real collectors do.
                asyncio.create_task(
                    LoadGenerator(fleet, seconds, each=deployer.scrape_each).run(stop)
                )
            )
            console.print(
                f"  load: {options.hosts} simulated {options.profile} hosts, "
                f"{len(fleet.alive()):,} processes, scraped every {options.interval}"
            )
        else:
            console.print("  load: this host's own processes, scraped by real collectors")
        simulated = isinstance(deployer, LocalDeployer)
        spec = demo.spec(
            keep, f"{options.hosts} {options.profile} hosts" if simulated else "this host"
        )
        created = await demo.command("CreateExperiment", spec)
        if created["status"] != "accepted":
            console.print(f"[red]CreateExperiment rejected[/]: {created['reason']}")
            return 1
        await demo.command("StartExperiment", {"experiment_id": str(demo.experiment_id)})
        variants = ["baseline", *(c["name"] for c in spec["candidates"])]
        console.print(f"  experiment {demo.experiment_id}, window {options.duration}s:")
        for ref in (spec["baseline"], *spec["candidates"]):
            console.print(f"    {ref['name']:<16} {ref['template']}", highlight=False)
        found = await demo.watch(variants)
        stop.set()
        if found["phase"] != Phase.COMPLETED.value:
            console.print(f"[red]the experiment ended {found['phase']}[/]: {found['reason']}")
            return 1
        results = await demo.results()
        console.print()
        console.print(results_table(results["variants"]))
        winner = results["winner"]
        for v in results["variants"]:
            if v["variant"] == winner:
                console.print(f"  [bold]{winner}[/] wins:", highlight=False)
                for reason in v["reasons"]:
                    console.print(f"    {reason}", highlight=False)
            elif v["verdict"] and v["verdict"] != "promote":
                console.print(
                    f"  [bold]{v['variant']}[/] {v['verdict']}: {v['reasons'][0]}", highlight=False
                )
        if winner is None:
            console.print("no candidate earned a promote verdict: nothing to promote")
        else:
            promoted = await demo.command(
                "PromoteVariant", {"experiment_id": str(demo.experiment_id), "variant": winner}
            )
            if promoted["status"] != "accepted":
                console.print(f"[red]promotion rejected[/]: {promoted['reason']}")
                return 1
            deadline = time.monotonic() + 30
            while (found := await demo.experiment())["promotion_commit"] is None:
                if time.monotonic() > deadline:
                    console.print("[red]the promotion was not recorded within 30s[/]")
                    return 1
                await asyncio.sleep(0.2)
            events = await runtime.store.read_stream(f"experiment-{demo.experiment_id}")
            branch = next(e.data["branch"] for e in events if e.type == "VariantPromoted")
            console.print(
                f"\n[green]promoted {winner}[/]: commit {found['promotion_commit'][:12]} on "
                f"branch {branch} of {settings.gitops_path}",
                highlight=False,
            )
        where = (
            ""
            if options.keep_running
            else " (the first four through the API: `phoenix up`, or the demo's --keep-running)"
        )
        console.print(f"\ndone in {time.monotonic() - began:.0f}s. Where to look next{where}:")
        xid = demo.experiment_id
        for line in (
            f"phoenix replay experiment-{xid}   (the audit trail)",
            f"phoenix experiment results {xid}   (every reason)",
            f"{runtime.api_url}/api/v1/experiments/{xid}/results   (bearer token: "
            f"{runtime.admin_token_file})",
            f"{runtime.api_url}/#/experiments/{xid}   (the dashboard; `phoenix dashboard` "
            "prints a link that signs you in)",
            f"git -C {settings.gitops_path} log --all --stat   (the promotion commit)",
            *(
                [
                    f"{prometheus}/api/v1/query?query="
                    + quote(
                        f'count by ("phoenix.variant") ({{"phoenix.experiment"="{xid}", '
                        f'__name__!~"{NOT_OUTPUT}"}})'
                    )
                    + "   (series per variant, in Prometheus)"
                ]
                if prometheus is not None
                else []
            ),
        ):
            console.print(f"  {line}", highlight=False, soft_wrap=True)
        if options.keep_running:
            console.print("Phoenix stays up; Ctrl-C to stop.")
            await runtime.wait()
        return 0
    finally:
        stop.set()
        for task in tasks:
            await task
        await runtime.stop()
