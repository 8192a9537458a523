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

from gateway.cli_client import calling, fail, report, send, when
from gateway.cli_options import DataDir, Output, variables_of, version_ref

Name = Annotated[str, typer.Option("--name", "-n", help="The pipeline's name (a DNS label).")]
console = Console()


def _config(file: Path) -> str:
    try:
        return file.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        fail([f"cannot read {file}: {exc}"])


TemplateOption = Annotated[
    str | None,
    typer.Option(
        "--template", "-t", help="Instead of FILE: a template, rendered with --var and frozen."
    ),
]
VarOption = Annotated[
    list[str] | None, typer.Option("--var", help="Template variable NAME=VALUE (repeat).")
]


def _source(file: Path | None, template: str | None, var: list[str] | None) -> dict[str, Any]:
    """The version's content for the command: the file's text, or the template to render."""
    if (file is None) == (template is None):
        fail(["give FILE (a collector config) or --template NAME, one of them"], 2)
    if template is not None:
        return {"template": {"name": template, "variables": variables_of(var or [])}}
    assert file is not None
    return {"config": _config(file)}


def _registered(result: dict[str, Any], name: str, done: str) -> str:
    from domain.pipeline.decide import sha256_of

    config = result.get("config")
    return f"{name}: {done}" + (f", sha256 {sha256_of(config)[:12]}" if config else "")


def register(
    name: Name,
    file: Annotated[Path | None, typer.Argument(help="The collector config (YAML).")] = None,
    template: TemplateOption = None,
    var: VarOption = None,
    description: Annotated[str, typer.Option(help="What it is for.")] = "",
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Register FILE (or a template rendered with --var) as version 1 of NAME; the same bytes
    again change nothing.
    """
    source = _source(file, template, var)
    data: dict[str, Any] = {"name": name, **source, "description": description}
    result = send(data_dir, "RegisterPipeline", data)
    report(result, output, _registered(source, name, "registered"))


def revise(
    name: Name,
    file: Annotated[Path | None, typer.Argument(help="The collector config (YAML).")] = None,
    template: TemplateOption = None,
    var: VarOption = None,
    note: Annotated[str, typer.Option(help="What changed, for the record.")] = "",
    data_dir: DataDir = None,
    output: Output = "table",
) -> None:
    """Add FILE (or a rendered template) as the next version of NAME; a config equal to an
    existing version changes nothing.
    """
    source = _source(file, template, var)
    result = send(data_dir, "RevisePipeline", {"name": name, **source, "note": note})
    report(result, output, _registered(source, name, "revised"))


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
