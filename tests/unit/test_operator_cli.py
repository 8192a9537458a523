"""`phoenix operator` alone says what it needs before it connects to anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app


def test_the_operator_alone_names_every_setting_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PHOENIX_KUBECONFIG", "PHOENIX_NATS_URL", "PHOENIX_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PHOENIX_DATABASE_URL", "postgresql://phoenix@db/phoenix")

    result = CliRunner().invoke(app, ["operator", "--data-dir", str(tmp_path)])

    assert result.exit_code != 0
    said = " ".join(result.output.split())
    for missing in ("PHOENIX_KUBECONFIG", "PHOENIX_NATS_URL", "PHOENIX_SIGNING_KEY"):
        assert missing in said
    assert "PHOENIX_DATABASE_URL" not in said
