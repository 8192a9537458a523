"""`phoenix loadsim`: simulated hosts sending their process metrics to a running Phoenix."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway.cli_options import DataDir, command_group, settings_for
from gateway.runtime_file import discover

if TYPE_CHECKING:  # the simulator and the sink's client load with the commands that use them
    from domain.telemetry.model import Batch
    from simulator.fleet import Fleet

app = command_group("Simulated load for the local deployer.")
console = Console()
err = Console(stderr=True)
PID_FILE = "loadsim.json"


@app.command("list-profiles")
def list_profiles() -> None:
    from simulator.profiles import PROFILES

    """The load profiles and what each simulates."""
    table = Table(show_edge=False)
    table.add_column("profile")
    table.add_column("what it simulates")
    for p in PROFILES.values():
        table.add_row(p.name, p.description)
    console.print(table)


@app.command()
def start(
    profile: Annotated[str, typer.Option(help="See list-profiles.")] = "realistic",
    hosts: Annotated[int, typer.Option(min=1, max=10_000)] = 10,
    interval: Annotated[str, typer.Option(help="Scrape interval, e.g. 10s.")] = "10s",
    seed: int = 1,
    endpoint: Annotated[
        str | None, typer.Option(help="OTLP/HTTP endpoint (default: the running Phoenix's sink).")
    ] = None,
    detach: Annotated[
        bool, typer.Option(help="Run in the background; `loadsim stop` ends it.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Scrape simulated hosts every interval and send them, as load, to Phoenix's sink."""
    import asyncio

    from pipelines.ottl.functions import duration_nanos
    from simulator.fleet import Fleet
    from simulator.profiles import PROFILES

    settings = settings_for(data_dir)
    if profile not in PROFILES:
        err.print(f"[red]error:[/red] unknown profile {profile!r}; known: {', '.join(PROFILES)}")
        raise typer.Exit(2)
    try:
        seconds = duration_nanos(interval) / 1e9
    except ValueError as exc:
        err.print(f"[red]error:[/red] --interval: {exc}")
        raise typer.Exit(2) from None
    target = endpoint or discover(settings).otlp_url
    if target is None:
        err.print(
            f"[red]error:[/red] no Phoenix is running with data dir {settings.data_dir}: "
            "start `phoenix up` first, or give --endpoint"
        )
        raise typer.Exit(2)
    pid_file = settings.data_dir / PID_FILE
    if detach:
        args = [a for a in sys.argv[1:] if a != "--detach"]
        if endpoint is None:
            args += ["--endpoint", target]
        log = (settings.data_dir / "loadsim.log").open("ab")
        child = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", *args],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        pid_file.write_text(json.dumps({"pid": child.pid, "profile": profile, "hosts": hosts}))
        console.print(
            f"load started: {hosts} {profile} hosts every {interval} → {target} (pid {child.pid})"
        )
        return
    # Live load starts now (the hosts booted one interval ago), on whatever date this runs:
    # the fleet's fixed epoch is for repeatable estimates, not for a wall-clock sender.
    booted = time.time_ns() - int(seconds * 1e9)
    asyncio.run(_run(Fleet(profile, hosts, seed=seed, start=booted), seconds, target))


async def _run(fleet: Fleet, seconds: float, endpoint: str) -> None:
    import asyncio

    from adapters.load import LoadGenerator
    from adapters.otlp_sink import LOAD_HEADER
    from simulator.otlp import OtlpHttpExporter

    exporter = OtlpHttpExporter(endpoint, headers={LOAD_HEADER: "loadsim"})

    async def publish(batches: list[Batch], _at: int) -> None:
        # A receiver that is down (Phoenix restarting) loses this scrape, not the whole load.
        results = await asyncio.gather(
            *(exporter.export(b) for b in batches), return_exceptions=True
        )
        failed = [r for r in results if isinstance(r, Exception)]
        if failed:
            err.print(f"{len(failed)} of {len(batches)} hosts not sent: {failed[0]}")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    console.print(
        f"sending {len(fleet.hosts)} {fleet.profile.name} hosts every {seconds:g}s to {endpoint}; Ctrl-C to stop"
    )
    try:
        await LoadGenerator(fleet, seconds, publish).run(stop)
    finally:
        await exporter.close()


@app.command()
def stop(data_dir: DataDir = None) -> None:
    """Stop the load started with --detach."""
    pid_file = settings_for(data_dir).data_dir / PID_FILE
    if not pid_file.exists():
        err.print("no detached load is running")
        raise typer.Exit(1)
    pid = int(json.loads(pid_file.read_text())["pid"])
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    pid_file.unlink()
    console.print(f"load stopped (pid {pid})")
