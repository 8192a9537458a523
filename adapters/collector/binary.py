"""Find Phoenix's test collector (built by scripts/build-otelcol) and ask it to validate a config."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

VERSION = "v0.159.0"


def find_otelcol() -> Path | None:
    """PHOENIX_OTELCOL, or the build cache scripts/build-otelcol fills; None if neither exists."""
    named = os.environ.get("PHOENIX_OTELCOL")
    if named:
        return Path(named) if Path(named).is_file() else None
    cache = os.environ.get("PHOENIX_OTELCOL_CACHE") or str(
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "phoenix" / "otelcol"
    )
    built = Path(cache) / VERSION / "build" / "otelcol-phoenix"
    return built if built.is_file() else None


@dataclass(frozen=True)
class Verdict:
    valid: bool
    output: str


def validate_with(binary: Path, config: Path, *, timeout: float = 60.0) -> Verdict:
    """`otelcol validate --config`: builds every component without starting a pipeline."""
    done = subprocess.run(
        [str(binary), "validate", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Verdict(done.returncode == 0, (done.stdout + done.stderr).strip())
