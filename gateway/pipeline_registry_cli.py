"""`phoenix pipeline register | revise | deprecate | versions | diff`: users' own pipelines."""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from domain.pipeline.decide import sha256_of
from gateway.cli_client import calling, fail, report, send, when
from gateway.cli_options import DataDir, Output, version_ref

Name = Annotated[str, typer.Option("--name", "-n", help="The pipeline's name (a DNS label).")]
console = Console()


def _config(file: Path) -> str:
    try:
        return file.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        fail([f"cannot read {file}: {exc}"])


def register(
    file: Path,
    name: Name,
    description: Annotated[str, typer.Option(help="What it is for.")] = "",
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Register FILE (a collector config) as version 1 of NAME; the same bytes again change nothing."""
    config = _config(file)
    data: dict[str, Any] = {"name": name, "config": config, "description": description}
    result = send(data_dir, "RegisterPipeline", data)
    report(result, output, f"{name}: registered, sha256 {sha256_of(config)[:12]}")


def revise(
    file: Path,
    name: Name,
    note: Annotated[str, typer.Option(help="What changed, for the record.")] = "",
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Add FILE as the next version of NAME; a config equal to an existing version changes nothing."""
    config = _config(file)
    result = send(data_dir, "RevisePipeline", {"name": name, "config": config, "note": note})
    report(result, output, f"{name}: revised, sha256 {sha256_of(config)[:12]}")


def deprecate(
    name: str,
    reason: Annotated[str, typer.Option(help="Why it is not to be used any more.")],
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Mark NAME as not to be used for new experiments; its versions stay readable."""
    result = send(data_dir, "DeprecatePipeline", {"name": name, "reason": reason})
    report(result, output, f"{name}: deprecated")


def versions(name: str, data_dir: DataDir = None, output: Output = "table") -> None:
    """NAME's versions: number, sha256, note, when and by whom."""
    found = calling(data_dir, lambda client: client.pipeline(name))
    if output == "json":
        print(json.dumps(found, indent=2))
        return
    deprecated = f" (deprecated: {found['deprecated']})" if found["deprecated"] else ""
    console.print(f"[bold]{name}[/]{deprecated} {found['description']}", highlight=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("version", "sha256", "registered", "by", "note"):
        table.add_column(column)
    for v in found["versions"]:
        promoted = v.get("promoted_from")
        note = v["note"] or _recommended(v.get("recommended"))
        if promoted:
            by = f"[green]promoted[/] by experiment {promoted['experiment_id'][:8]}…"
            by += f" ({promoted['variant']})"
            note = by if not note or note.startswith("promoted from") else f"{by}; {note}"
        table.add_row(
            str(v["version"]),
            v["sha256"][:12],
            when(v["created_at"], "%Y-%m-%d %H:%M"),
            v["created_by"],
            note,
        )
    console.print(table)


def _recommended(made: dict[str, Any] | None) -> str:
    if not made:
        return ""
    series = made["predicted"].get("series_reduction")
    cut = f", predicted series -{series:.1%}" if series is not None else ""
    return f"recommended from {made['baseline']} ({made['candidate']}{cut})"


def diff(
    old: Annotated[str, typer.Argument(help="NAME@VERSION, e.g. prod@1")],
    new: Annotated[str, typer.Argument(help="NAME@VERSION, e.g. prod@2")],
    data_dir: DataDir = None,
) -> None:
    """The two versions' configs as a unified YAML diff (exit 1 when they differ, as diff does)."""
    (old_name, old_version), (new_name, new_version) = version_ref(old), version_ref(new)
    before, after = calling(
        data_dir,
        lambda client: (
            client.pipeline_version(old_name, old_version),
            client.pipeline_version(new_name, new_version),
        ),
    )
    lines = list(
        difflib.unified_diff(
            before["config"].splitlines(keepends=True),
            after["config"].splitlines(keepends=True),
            fromfile=f"{old} (sha256 {before['sha256'][:12]})",
            tofile=f"{new} (sha256 {after['sha256'][:12]})",
        )
    )
    sys.stdout.writelines(line if line.endswith("\n") else line + "\n" for line in lines)
    raise typer.Exit(1 if lines else 0)


COMMANDS = (register, revise, deprecate, versions, diff)
