"""Which token the CLI sends: the environment's, the saved one, or the local admin's for the local API only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from adapters.auth.local_key import LocalKey
from gateway.local_tokens import ADMIN_TOKEN_FILE, find_token, save_token, write_admin_token


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PHOENIX_TOKEN", raising=False)
    monkeypatch.setenv("PHOENIX_TOKEN_FILE", str(tmp_path / "saved" / "token"))
    write_admin_token(tmp_path / "data", LocalKey.generate())
    return tmp_path / "data"


def test_the_local_admin_token_goes_only_to_the_api_of_the_phoenix_that_wrote_it(
    data_dir: Path,
) -> None:
    found = find_token(data_dir, local_admin=True)
    assert found is not None and found[1] == str(data_dir / ADMIN_TOKEN_FILE)
    assert find_token(data_dir, local_admin=False) is None  # PHOENIX_API_URL elsewhere


def test_phoenix_token_comes_first_then_the_saved_token(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_token("saved.token.here")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert find_token(data_dir, local_admin=True) == ("saved.token.here", str(path))
    monkeypatch.setenv("PHOENIX_TOKEN", "from.the.environment")
    assert find_token(data_dir, local_admin=True) == ("from.the.environment", "PHOENIX_TOKEN")
