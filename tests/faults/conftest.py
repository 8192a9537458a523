"""The fault tier runs on the same whole-runtime fixtures as the end-to-end tier."""

from tests.e2e.conftest import api, runtime

__all__ = ["api", "runtime"]
