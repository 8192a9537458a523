"""`phoenix pipeline`: the template catalog, rendering, validation, and estimates on simulated load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway import pipeline_registry_cli as registry
from gateway.cli_options import command_group, seconds, variables_of
from gateway.recommend_cli import recommend
from simulator.profiles import PROFILES

app = command_group(
    "Collector pipelines: templates, rendering, validation, estimates, and the registry of "
    "users' own pipelines."
)
for registry_command in (*registry.COMMANDS, recommend):
    app.command()(registry_command)
console = Console()
err = Console(stderr=True)

DEFAULT_CRITICAL = ["^postgres$", "^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]


@app.command("list")
def list_templates(output: Annotated[str, typer.Option("--output", "-o")] = "table") -> None:
    """The templates in the catalog."""
    from pipelines.catalog import catalog  # here: `phoenix --help` should not pay for it

    templates = catalog().values()
    if output == "json":
        print(
            json.dumps(
                [{"name": t.name, "description": t.description} for t in templates], indent=2
            )
        )
        return
    table = Table(show_edge=False)
    table.add_column("template")
    table.add_column("what it does")
    for t in templates:
        table.add_row(t.name, t.description)
    console.print(table)


@app.command()
def show(name: str) -> None:
    """A template's description and variables, with their defaults."""
    from pipelines.catalog import template  # here: `phoenix --help` should not pay for it

    try:
        t = template(name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    console.print(f"[bold]{t.name}[/]: {t.description}")
    table = Table(show_edge=False)
    for column in ("variable", "default", "meaning"):
        table.add_column(column, overflow="fold")
    for v in t.variables:
        table.add_row(v.name, json.dumps(v.default), v.description)
    console.print(table)
    for profile, (low, high) in t.expected_reduction.items():
        console.print(f"  expected series reduction on {profile}: {low:.0%} to {high:.0%}")


@app.command("render")
def render_command(
    name: str,
    var: Annotated[list[str], typer.Option("--var", help="NAME=VALUE (YAML); repeatable")] = [],  # noqa: B006
    vars_file: Annotated[
        Path | None, typer.Option("--vars", help="a YAML file of variables")
    ] = None,
) -> None:
    """Print the collector config a template renders to."""
    from pipelines.render import RenderError, render

    try:
        print(render(name, variables_of(var, vars_file)), end="")
    except (RenderError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command()
def validate(file: Path) -> None:
    """Check a collector config; exit 1 with each problem's path if it is invalid."""
    from pipelines.validator import ConfigInvalid, validate_text

    try:
        text = file.read_text()
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {file}: {exc.strerror}")
        raise typer.Exit(1) from None
    try:
        validate_text(text)
    except ConfigInvalid as exc:
        err.print(f"[red]{file} is invalid[/red] ({len(exc.problems)} problem(s)):", soft_wrap=True)
        for problem in exc.problems:
            err.print(f"  {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(f"{file} is valid")


@app.command("estimate")
def estimate_command(
    template_name: Annotated[str, typer.Option("--template", "-t")],
    profile: Annotated[str, typer.Option(help=f"one of {', '.join(PROFILES)}")] = "realistic",
    hosts: Annotated[int, typer.Option(min=1)] = 10,
    processes: Annotated[
        int | None, typer.Option(help="processes per host (default: the profile's)")
    ] = None,
    duration: Annotated[str, typer.Option(help="simulated time, e.g. 10m")] = "10m",
    interval: Annotated[str, typer.Option(help="scrape interval")] = "10s",
    seed: int = 1,
    critical: Annotated[list[str], typer.Option(help="critical process regex; repeatable")] = [],  # noqa: B006
    var: Annotated[list[str], typer.Option("--var", help="template variable NAME=VALUE")] = [],  # noqa: B006
    top_k: Annotated[
        int, typer.Option(help="keep-list size Phoenix derives for process-topk-v1")
    ] = 5,
    price_series: Annotated[float, typer.Option(help="price per active series a month")] = 0.05,
    price_million: Annotated[float, typer.Option(help="price per million datapoints")] = 0.10,
    output: Annotated[str, typer.Option("--output", "-o")] = "table",
) -> None:
    """Run a template over simulated load and report what it would cut, and what it keeps."""
    from pipelines.estimate import Prices, estimate
    from pipelines.evaluator import Evaluator, EvaluatorError
    from pipelines.recommend import top_by_cpu
    from pipelines.render import RenderError, render_config
    from simulator.fleet import EPOCH, Fleet

    if profile not in PROFILES:
        raise typer.BadParameter(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    critical = critical or DEFAULT_CRITICAL
    step = seconds(interval)
    variables = {
        "critical_processes": critical,
        "collection_interval": interval,
        **variables_of(var, None),
    }
    if template_name == "process-topk-v1" and "keep_command_lines" not in variables:
        # Derived from observed data: the same fleet in the two minutes before the measured window.
        before = EPOCH - 120 * 1_000_000_000
        warmup = Fleet(profile, hosts, seed=seed, processes=processes, start=before)
        observed = (
            batch for _, batches in warmup.run(duration_s=120, interval_s=step) for batch in batches
        )
        variables["keep_command_lines"] = top_by_cpu(observed, top_k)
    try:
        evaluator = Evaluator(render_config(template_name, variables))
    except (RenderError, EvaluatorError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    fleet = Fleet(profile, hosts, seed=seed, processes=processes)
    result = estimate(
        fleet.run(duration_s=seconds(duration), interval_s=step),
        evaluator,
        critical_processes=critical,
        interval_nanos=step * 1_000_000_000,
        prices=Prices(price_series, price_million),
    )
    report = {
        "template": template_name,
        "profile": profile,
        "hosts": hosts,
        "duration": duration,
        **result.as_dict(),
    }
    if "keep_command_lines" in variables and template_name == "process-topk-v1":
        report["keep_command_lines"] = variables["keep_command_lines"]
    if output == "json":
        print(json.dumps(report, indent=2))
        return
    table = Table(
        title=f"{template_name} on {hosts} {profile} hosts for {duration}", show_edge=False
    )
    for column in ("", "input", "output", "reduction"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(
        "distinct series",
        f"{result.input_series:,}",
        f"{result.output_series:,}",
        f"{result.series_reduction:.1%}",
    )
    table.add_row(
        "datapoints / minute",
        f"{result.input_dpm:,.0f}",
        f"{result.output_dpm:,.0f}",
        f"{result.datapoint_reduction:.1%}",
    )
    table.add_row(
        "cost / month",
        f"${result.input_cost:,.2f}",
        f"${result.output_cost:,.2f}",
        f"{result.cost_reduction:.1%}",
    )
    table.add_row(
        "critical processes",
        f"{result.critical_in}",
        f"{result.critical_out}",
        "not measurable: none seen"
        if result.critical_retention is None
        else f"retention {result.critical_retention:.0%}",
    )
    console.print(table)
    if template_name == "process-topk-v1":
        console.print("keep-list derived from a 2-minute warm-up (the top processes by CPU):")
        for command_line in variables["keep_command_lines"]:
            console.print(f"  {command_line}", highlight=False)
