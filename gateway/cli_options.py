"""Options every `phoenix` subcommand shares: data dir, output format, and the settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from adapters.settings import Settings

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="PHOENIX_DATA_DIR", help="Where embedded servers keep data."),
]
Output = Annotated[str, typer.Option("--output", "-o", help="table or json")]


def command_group(help_text: str) -> typer.Typer:
    """A group of commands whose help is plain text: Typer's rich help imports rich.markdown and
    more, a third of `phoenix --help`'s start-up.
    """
    return typer.Typer(rich_markup_mode=None, help=help_text, no_args_is_help=True)


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    return Settings.from_env(data_dir=data_dir, **overrides)


_DURATION = re.compile(r"^(\d+)(s|m|h)$")


def seconds(text: str) -> int:
    """A duration option (``90s``, ``10m``, ``1h``) in seconds."""
    match = _DURATION.match(text)
    if not match:
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 10m or 1h")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def version_ref(text: str) -> tuple[str, int]:
    """A ``NAME@VERSION`` argument, as (name, version)."""
    name, _, version = text.partition("@")
    if not name or not version.isdigit() or int(version) < 1:
        raise typer.BadParameter(f"{text!r}: write NAME@VERSION, e.g. prod@1")
    return name, int(version)


def variables_of(pairs: list[str], file: Path | None = None) -> dict[str, Any]:
    """Template variables from ``--var NAME=VALUE`` (a YAML value each), over a YAML file's."""
    import yaml  # here, not at the top: `phoenix --help` should not pay for it

    values: dict[str, Any] = yaml.safe_load(file.read_text()) if file else {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"--var takes NAME=VALUE (a YAML value), not {pair!r}")
        values[key] = yaml.safe_load(raw)
    return values
