"""Where a person's token comes from: PHOENIX_TOKEN, a saved token file, or the local admin's."""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.auth.secret_files import read_secret, write_secret

if TYPE_CHECKING:
    from adapters.auth.local_key import LocalKey

ADMIN_TOKEN_FILE = Path("auth") / "admin.token"
ADMIN_TTL = timedelta(days=30)


def write_admin_token(data_dir: Path, key: LocalKey) -> Path:
    """An admin token for whoever runs Phoenix on this machine (the OS user), written at each
    start to the data dir (mode 0600): the first way in, until tokens are given to others.
    """
    from adapters.auth.tokens import issue  # signing loads with `phoenix up`, not the CLI
    from domain.identity import Role

    path = data_dir / ADMIN_TOKEN_FILE
    token = issue(key, _os_user(), [Role.ADMIN], ttl=ADMIN_TTL, now=datetime.now(UTC))
    write_secret(path, token.encode() + b"\n")
    return path


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "admin"


def saved_token_file() -> Path:
    """Where `phoenix login` and `phoenix token create --save` keep a token."""
    if os.environ.get("PHOENIX_TOKEN_FILE"):
        return Path(os.environ["PHOENIX_TOKEN_FILE"])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "phoenix" / "token"


def save_token(token: str) -> Path:
    path = saved_token_file()
    write_secret(path, token.strip().encode() + b"\n")
    return path


def find_token(data_dir: Path, *, local_admin: bool) -> tuple[str, str] | None:
    """The token a CLI call uses, and where it came from: ``PHOENIX_TOKEN``, then the saved
    token file, then (``local_admin``: only for the API of the Phoenix running from ``data_dir``,
    never one elsewhere) the admin token it wrote there.
    """
    if os.environ.get("PHOENIX_TOKEN"):
        return os.environ["PHOENIX_TOKEN"].strip(), "PHOENIX_TOKEN"
    candidates = [saved_token_file()] + ([data_dir / ADMIN_TOKEN_FILE] if local_admin else [])
    for path in candidates:
        if path.is_file():
            return read_secret(path).decode().strip(), str(path)
    return None
