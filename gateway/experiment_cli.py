"""`phoenix experiment`: create, start, watch, judge, promote and cancel experiments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID, uuid4

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from gateway.api_client import PhoenixClient
from gateway.cli_client import calling, fail, report, send, when
from gateway.cli_options import DataDir, Output, command_group

if TYPE_CHECKING:
    from pydantic import ValidationError

app = command_group("Create, run, judge and promote experiments.")
console = Console()


def short_name(template: str) -> str:
    """process-aggregated-v1 -> aggregated: the variant name a template gets by default."""
    name = template.removeprefix("process-")
    head, _, tail = name.rpartition("-v")
    return head if head and tail.isdigit() else name


def validation_errors(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e['loc']) or '(spec)'}: {e['msg']}"
        for e in exc.errors(include_url=False)
    ]


def spec_from_flags(
    *,
    name: str | None,
    baseline: str,
    candidates: list[str],
    duration: int,
    interval: str | None,
    critical: list[str],
    hosts: list[str],
) -> dict[str, Any]:
    variables = {"collection_interval": interval} if interval else {}

    from pipelines.catalog import catalog  # here: `phoenix --help` should not pay for it

    def ref(text: str) -> dict[str, Any]:
        variant, _, source = text.rpartition("=")
        if source not in catalog():  # not a template: a registered pipeline, NAME[@VERSION]
            return {"name": variant or source.partition("@")[0][:40], "pipeline": source}
        return {"name": variant or short_name(source), "template": source, "variables": variables}

    return {
        "name": name or "experiment",
        "baseline": {**ref(baseline), "name": "baseline"},
        "candidates": [ref(c) for c in candidates],
        "duration_seconds": duration,
        "critical_processes": critical,
        "target": {"hosts": hosts},
    }


@app.command()
def create(
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="The spec as YAML or JSON.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A name people will recognise.")] = None,
    baseline: Annotated[
        str, typer.Option(help="The baseline: a template, or a registered pipeline NAME[@VERSION].")
    ] = "process-baseline-v1",
    candidate: Annotated[
        list[str] | None,
        typer.Option(
            "--candidate",
            "-c",
            help="A candidate: TEMPLATE or PIPELINE[@VERSION], or NAME=either (repeat).",
        ),
    ] = None,
    recommended: Annotated[
        bool,
        typer.Option(
            help="Add as candidates the versions recommended from the baseline pipeline "
            "(`phoenix pipeline recommend --register`)."
        ),
    ] = False,
    duration: Annotated[int, typer.Option(help="Observation window, seconds.")] = 600,
    interval: Annotated[
        str | None, typer.Option(help="collection_interval for every variant, e.g. 10s.")
    ] = None,
    critical: Annotated[
        list[str] | None, typer.Option(help="Critical process regex (repeat).")
    ] = None,
    host: Annotated[list[str] | None, typer.Option(help="Target host (repeat).")] = None,
    start: Annotated[bool, typer.Option(help="Start it right away.")] = False,
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Define an experiment from a YAML file or from flags; errors name the field."""
    if file is not None:
        import yaml  # here: `phoenix --help` should not pay for it

        try:
            raw = yaml.safe_load(file.read_text())
        except (OSError, yaml.YAMLError) as exc:
            fail([f"{file}: {exc}"])
        if not isinstance(raw, dict):
            fail([f"{file}: the spec must be a mapping of fields"])
    else:
        if not candidate and not recommended:
            fail(["give --file, or at least one --candidate, or --recommended"])
        raw = spec_from_flags(
            name=name,
            baseline=baseline,
            candidates=candidate or [],
            duration=duration,
            interval=interval,
            critical=critical or [],
            hosts=host or [],
        )
    if recommended:
        raw["candidates"] = [*raw.get("candidates", []), *recommended_candidates(data_dir, raw)]
    from pydantic import ValidationError

    from domain.experiment.spec import ExperimentSpec  # its models load with `create` alone

    try:
        ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        source = str(file) if file else "the flags"
        fail([f"{source}: {line}" for line in validation_errors(exc)])
    experiment_id = uuid4()
    result = send(data_dir, "CreateExperiment", {**raw, "experiment_id": str(experiment_id)})
    result["experiment_id"] = str(experiment_id)
    if start and result["status"] == "accepted":
        result["started"] = send(
            data_dir, "StartExperiment", {"experiment_id": str(experiment_id)}
        )["status"]
    report(
        result,
        output,
        f"created experiment [bold]{experiment_id}[/]" + (" and started it" if start else ""),
    )


def recommended_candidates(data_dir: Path | None, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The latest version recommended from the baseline pipeline's version, for each
    recommendation registered (``phoenix pipeline recommend --register``), as candidates.
    """
    source = (raw.get("baseline") or {}).get("pipeline")
    if not source:
        fail(["--recommended needs a registered pipeline as the baseline, e.g. --baseline prod@1"])

    def find(client: PhoenixClient) -> list[dict[str, Any]]:
        name, _, version = source.partition("@")
        pinned = f"{name}@{version or client.pipeline(name)['latest_version']}"
        found: dict[str, dict[str, Any]] = {}
        for item in client.pipelines(limit=1000)["items"]:
            if item["deprecated"]:
                continue
            for v in client.pipeline(item["name"])["versions"]:
                made = v.get("recommended") or {}
                if made.get("baseline") == pinned:
                    found[made["candidate"]] = {
                        "name": made["candidate"],
                        "pipeline": f"{item['name']}@{v['version']}",
                    }
        if not found:
            fail([f"no recommendations are registered for {pinned}: "
                  f"`phoenix pipeline recommend {pinned} --register` makes them"], 1)  # fmt: skip
        return [found[k] for k in sorted(found)]

    return calling(data_dir, find)


@app.command("start")
def start_(experiment_id: UUID, data_dir: DataDir = None, output: Output = "table") -> None:
    """Begin: generate configs, deploy the variants, observe."""
    result = send(data_dir, "StartExperiment", {"experiment_id": str(experiment_id)})
    report(result, output, f"started {experiment_id}")


@app.command()
def cancel(
    experiment_id: UUID,
    reason: Annotated[
        str, typer.Option(help="Why, for the audit trail.")
    ] = "cancelled from the CLI",
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Stop an experiment that has not reached analysis; its collectors are torn down."""
    data = {"experiment_id": str(experiment_id), "reason": reason}
    report(
        send(data_dir, "CancelExperiment", data),
        output,
        f"cancelled {experiment_id}",
    )


@app.command()
def promote(
    experiment_id: UUID,
    variant: str,
    override: Annotated[
        bool, typer.Option(help="Promote without a promote verdict (needs the admin role).")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why the override.")] = None,
    to_pipeline: Annotated[
        str | None,
        typer.Option(
            help="The registered pipeline whose next version it becomes (default: the "
            "baseline's, when the baseline is one)."
        ),
    ] = None,
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Commit the variant's config to the GitOps repository (after a promote verdict); with a
    registered pipeline as the baseline, it also becomes that pipeline's next version.
    """
    data = {
        "experiment_id": str(experiment_id),
        "variant": variant,
        "override": override,
        "override_reason": reason,
        "to_pipeline": to_pipeline,
    }
    result = send(data_dir, "PromoteVariant", data)
    report(
        result,
        output,
        f"promotion of {variant} requested; `phoenix experiment status {experiment_id}` shows the commit",
    )


@app.command("list")
def list_(
    phase: Annotated[str | None, typer.Option(help="Only this phase.")] = None,
    limit: int = 50,
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Experiments, newest first."""
    found = calling(data_dir, lambda c: c.experiments(phase=phase, limit=limit))
    items, total = found["items"], found["total"]
    if output == "json":
        print(json.dumps({"items": items, "total": total}, default=str, indent=2))
        return
    table = Table(show_edge=False)
    for column in ("id", "name", "phase", "winner", "created"):
        table.add_column(column)
    for x in items:
        table.add_row(
            str(x["experiment_id"]),
            x["name"],
            x["phase"],
            x["winner"] or "",
            when(x["created_at"]),
        )
    console.print(table if items else "no experiments")


def _shown(data_dir: Path | None, query: Any, output: str) -> Any:
    """The experiment's read model, or None once printed as JSON (when that was asked for)."""
    found = calling(data_dir, query)
    if output == "json":
        print(json.dumps(found, default=str, indent=2))
        return None
    return found


@app.command()
def status(experiment_id: UUID, data_dir: DataDir = None, output: Output = "table") -> None:
    """Phase, history, window and reason of one experiment."""
    if (found := _shown(data_dir, lambda c: c.experiment(experiment_id), output)) is None:
        return
    console.print(f"[bold]{found['name']}[/] {experiment_id}: [cyan]{found['phase']}[/]")
    for change in found["phase_history"]:
        console.print(
            f"  v{change['version']:<3} {when(change['at'], '%H:%M:%S')}  {change['phase']}"
        )
    if found["window_ends_at"]:
        console.print(f"  window ends {when(found['window_ends_at'], '%Y-%m-%d %H:%M:%S %Z')}")
    if found["reason"]:
        console.print(f"  reason: {found['reason']}", highlight=False)
    if found["promotion_commit"]:
        console.print(
            f"  promoted {found['promoted_variant']} in commit {found['promotion_commit']}"
        )


def _with_predictions(columns: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The columns, each measured reduction followed by the predicted one."""
    out: list[tuple[str, str]] = []
    for key, title in columns:
        out.append((key, title))
        if key in ("series_reduction", "datapoint_reduction"):
            out.append((f"predicted_{key}", "predicted"))
    return tuple(out)


def results_table(variants: list[dict[str, Any]]) -> Table:
    """The results, with predicted reductions beside the measured ones where there are any."""
    from handlers.report import COLUMNS, formatted

    predicted = any(v.get("predicted") for v in variants)
    columns = _with_predictions(COLUMNS) if predicted else COLUMNS
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for _, title in columns:
        table.add_column(
            title, justify="left" if title in ("variant", "verdict") else "right", no_wrap=True
        )
    colours = {"promote": "green", "reject": "red", "inconclusive": "yellow"}
    for v in variants:
        row = {
            "variant": v["variant"],
            "template": v["template"] or v.get("pipeline"),
            **(v["measures"] or {}),
            **{f"predicted_{k}": x for k, x in (v.get("predicted") or {}).items()},
            "verdict": v["verdict"] or ("baseline" if v["role"] == "baseline" else ""),
        }
        cells = formatted(row, columns)
        colour = colours.get(row["verdict"])
        if colour:
            cells[-1] = f"[{colour}]{cells[-1]}[/]"
        table.add_row(*cells)
    return table


@app.command()
def results(experiment_id: UUID, data_dir: DataDir = None, output: Output = "table") -> None:
    """Per variant: series, datapoints, critical retention, cost, and the verdict with reasons."""
    if (found := _shown(data_dir, lambda c: c.results(experiment_id), output)) is None:
        return
    if not found["available"]:
        console.print(
            f"no results yet: {found['name']} is {found['phase']}"
            + (f" ({found['reason']})" if found["reason"] else "")
        )
        return
    console.print(results_table(found["variants"]))
    for v in found["variants"]:
        for reason in v["reasons"] or []:
            console.print(f"  [dim]{v['variant']}:[/] {reason}", highlight=False)
