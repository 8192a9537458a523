"""`phoenix pipeline recommend`: candidates from what a baseline emitted, each registered as a
pipeline version with what the evaluator predicts it cuts.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from gateway.api_client import ApiError, PhoenixClient
from gateway.cli_client import calling, fail, send
from gateway.cli_options import DataDir, Output, seconds, version_ref

console = Console()


def _registered(client: PhoenixClient, name: str, sha256: str) -> int | None:
    try:
        found = client.pipeline(name)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return next((v["version"] for v in found["versions"] if v["sha256"] == sha256), None)


def register_candidates(data_dir: Any, found: dict[str, Any]) -> dict[str, str]:
    """Each candidate as a version of the pipeline ``<baseline>-<candidate>``, with where it
    came from and what it predicts; returns candidate -> NAME@VERSION.
    """
    base_name = found["baseline"].partition("@")[0]
    registered: dict[str, str] = {}
    for candidate in found["candidates"]:
        name = f"{base_name}-{candidate['name']}"[:63].rstrip("-")
        recommended = {
            "baseline": found["baseline"],
            "candidate": candidate["name"],
            "basis": found["basis"][:500],
            "window_seconds": found["window_seconds"],
            "predicted": candidate["predicted"],
        }
        exists = calling(data_dir, partial(_exists, name=name))
        if exists:
            note = f"recommended from {found['baseline']}: {candidate['description']}"
            data = {
                "name": name,
                "config": candidate["config"],
                "note": note[:2000],
                "recommended": recommended,
            }
            result = send(data_dir, "RevisePipeline", data)
        else:
            data = {
                "name": name,
                "config": candidate["config"],
                "description": candidate["description"][:4000],
                "labels": {"recommended-from": found["baseline"]},
                "recommended": recommended,
            }
            result = send(data_dir, "RegisterPipeline", data)
        if result["status"] != "accepted":
            fail([f"{name}: {result['reason']}"], 1)
        version = calling(data_dir, partial(_registered, name=name, sha256=candidate["sha256"]))
        registered[candidate["name"]] = f"{name}@{version}"
    return registered


def _exists(client: PhoenixClient, name: str) -> bool:
    try:
        client.pipeline(name)
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise
    return True


def recommend(
    pipeline: Annotated[
        str | None,
        typer.Argument(help="NAME@VERSION to build on, run over simulated hosts of --profile."),
    ] = None,
    from_experiment: Annotated[
        UUID | None,
        typer.Option(help="Build on this experiment's baseline, from what it emitted."),
    ] = None,
    profile: Annotated[
        str, typer.Option(help="Load profile of the simulated hosts.")
    ] = "realistic",
    hosts: Annotated[int, typer.Option(help="Simulated hosts.")] = 10,
    observe: Annotated[str, typer.Option(help="Simulated time observed, e.g. 10m.")] = "10m",
    critical: Annotated[
        list[str] | None, typer.Option(help="Critical process regex for simulated hosts (repeat).")
    ] = None,
    seed: int = 1,
    top_k: Annotated[int, typer.Option(help="Keep-list size: command lines kept in full.")] = 10,
    retain: Annotated[
        int, typer.Option(help="Windows a command line stays kept after it drops out of the top.")
    ] = 3,
    window: Annotated[
        str | None,
        typer.Option(
            help="The window the experiment will observe, e.g. 10m (predictions are "
            "for one that long); default: the experiment's, or 10m."
        ),
    ] = None,
    register: Annotated[
        bool, typer.Option(help="Register each candidate as a version of NAME-CANDIDATE.")
    ] = False,
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Rank what a baseline's processes cost and propose candidates (a keep-list with
    hysteresis, aggregation by executable), each with its predicted reductions.
    """
    if (pipeline is None) == (from_experiment is None):
        fail(["give NAME@VERSION (simulated hosts) or --from-experiment ID, one of them"], 2)
    params: dict[str, Any] = {"top_k": top_k, "retain": retain}
    if window is not None:
        params["window"] = seconds(window)
    if pipeline is not None:
        params |= {
            "profile": profile,
            "hosts": hosts,
            "observe_seconds": seconds(observe),
            "seed": seed,
        } | ({"critical": critical} if critical else {})
        ref = version_ref(pipeline)
        found = calling(data_dir, lambda c: c.recommendations(pipeline=ref, params=params))
    else:
        found = calling(
            data_dir, lambda c: c.recommendations(experiment_id=from_experiment, params=params)
        )
    registered = register_candidates(data_dir, found) if register else {}
    if output == "json":
        print(json.dumps({**found, "registered": registered}, indent=2))
        return
    show(found, registered)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def show(found: dict[str, Any], registered: dict[str, str]) -> None:
    console.print(
        f"[bold]Recommendations for {found['baseline']}[/] from {found['basis']}"
        + (" (truncated: not all was kept)" if found["truncated"] else ""),
        highlight=False,
    )
    ranking = Table(title="what it emitted, by process", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("executable", "series", "cpu s", "memory MiB", "command line"):
        numeric = column in ("series", "cpu s", "memory MiB")
        ranking.add_column(column, justify="right" if numeric else "left")
    for p in found["ranking"][:10]:
        line = p["command_line"]
        ranking.add_row(
            p["executable"],
            f"{p['series']:,}",
            f"{p['cpu_seconds']:,.1f}",
            f"{p['memory_mib']:,.0f}",
            line if len(line) <= 60 else line[:57] + "...",
        )
    console.print(ranking)
    keep = found["keep_list"]
    console.print(
        f"keep-list: {len(keep['command_lines'])} command lines (top {keep['top_k']}, each kept "
        f"{keep['retain']} windows after it drops out); it changed {keep['flap_rate']:.1%} a "
        f"window, {keep['flap_rate_without_hysteresis']:.1%} without hysteresis",
        highlight=False,
    )
    table = Table(
        title=f"candidates, predicted for a {found['window_seconds']}s window",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in ("candidate", "pipeline", "series", "datapoints", "cost", "critical kept"):
        table.add_column(column, justify="left" if column in ("candidate", "pipeline") else "right")
    for c in found["candidates"]:
        predicted = c["predicted"]
        table.add_row(
            c["name"],
            registered.get(c["name"], "(not registered)"),
            f"-{_pct(predicted['series_reduction'])}",
            f"-{_pct(predicted['datapoint_reduction'])}",
            f"-{_pct(predicted['cost_reduction'])}",
            _pct(predicted["critical_retention"]),
        )
    console.print(table)
    if not registered:
        console.print("register them with --register; then `phoenix experiment create "
                      f"--baseline {found['baseline']} --recommended --start`")  # fmt: skip
