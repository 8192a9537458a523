"""Files that hold secrets: created readable by their owner only, never world-readable."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_secret(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` with mode 0600 (its directory 0700), atomically: a reader
    sees the whole secret or none, and it is never readable by others, not even for a moment.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A new file of its own (O_EXCL, mode 0600): nothing planted beside it is reused or followed.
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.write(fd, content)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(partial)
        raise
    os.close(fd)
    os.replace(partial, path)


def read_secret(path: Path) -> bytes:
    """The file's content; refuses one that others may read (as ssh does with a private key)."""
    mode = path.stat().st_mode
    if mode & 0o077:
        raise PermissionError(
            f"{path} is readable by others (mode {oct(mode & 0o777)}); `chmod 600 {path}` first"
        )
    return path.read_bytes()
