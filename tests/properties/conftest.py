"""Properties are checked on the same examples every run: hypothesis derandomized, no example database."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("phoenix", derandomize=True, database=None)
settings.load_profile("phoenix")
