"""``otelcol validate`` as a port: the collector itself builds every component of a config."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from adapters.collector.binary import validate_with


class OtelcolCheck:
    """Asks the collector at ``binary`` whether it would start with a config."""

    def __init__(self, binary: Path, *, timeout: float = 60.0) -> None:
        self.binary, self.timeout = binary, timeout

    async def refusal(self, config: str) -> str | None:
        return await asyncio.to_thread(self._check, config)

    def _check(self, config: str) -> str | None:
        with tempfile.TemporaryDirectory(prefix="phoenix-validate-") as directory:
            path = Path(directory) / "config.yaml"
            path.write_text(config)
            verdict = validate_with(self.binary, path, timeout=self.timeout)
        if verdict.valid:
            return None
        said = [line for line in verdict.output.splitlines() if line.startswith("Error:")]
        return (said[-1].removeprefix("Error:").strip() if said else verdict.output)[-2000:]
