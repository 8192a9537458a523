"""YAML read safely with libyaml's C parser where PyYAML has it (its Python parser is far slower)."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """As ``yaml.safe_load``: plain data only, never objects."""
    return yaml.load(text, Loader=SafeLoader)
