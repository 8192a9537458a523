"""Options every `phoenix` subcommand shares: data dir, output format, and the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from adapters.settings import Settings

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="PHOENIX_DATA_DIR", help="Where embedded servers keep data."),
]
Output = Annotated[str, typer.Option("--output", "-o", help="table or json")]


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    return Settings.from_env(data_dir=data_dir, **overrides)
