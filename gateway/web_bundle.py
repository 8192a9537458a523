"""Where the dashboard's built bundle is (light to import: the CLI asks whether it is built)."""

from __future__ import annotations

import os
from pathlib import Path

BUNDLE = Path(__file__).resolve().parents[1] / "web" / "dist"


def bundle_dir() -> Path:
    """Where the built web app is: PHOENIX_WEB_DIST, else web/dist beside Phoenix's code."""
    configured = os.environ.get("PHOENIX_WEB_DIST")
    return Path(configured) if configured else BUNDLE


def built() -> bool:
    return (bundle_dir() / "index.html").is_file()
