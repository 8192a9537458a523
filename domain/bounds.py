"""Bounds on free-form JSON: what a message may carry so that every reader can read it back."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator

# Far below every decoder's limit (pydantic's JSON parser stops at 200 levels, Python's json
# at about 1,000): a message as a whole, and a free-form field inside it.
MAX_MESSAGE_DEPTH = 32
MAX_FREE_FORM_DEPTH = 8
MAX_FREE_FORM_BYTES = 64 * 1024


class Unstorable(ValueError):
    """A value no reader could read back, or no store could keep; the message says where."""


def depth(value: Any) -> int:
    """How deeply objects and arrays nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children)
    return deepest


def nul_at(value: Any) -> str | None:
    """The path (``a.b[2]``) of the first string, key or value, holding a NUL character."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where or "(the value)"
        elif isinstance(item, dict):
            for key, child in item.items():
                inside = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and "\x00" in key:
                    return inside
                stack.append((child, inside))
        elif isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return None


def check_storable(value: Any, what: str, *, max_depth: int) -> None:
    """Raise Unstorable if ``value`` nests deeper than ``max_depth`` or holds a NUL character."""
    found = depth(value)
    if found > max_depth:
        raise Unstorable(f"{what} nests {found} levels deep; at most {max_depth} are allowed")
    where = nul_at(value)
    if where:
        raise Unstorable(f"{where} contains a NUL character (\\u0000), which cannot be stored")


def _free_form(value: dict[str, Any]) -> dict[str, Any]:
    check_storable(value, "the object", max_depth=MAX_FREE_FORM_DEPTH)
    size = len(json.dumps(value, default=str))
    if size > MAX_FREE_FORM_BYTES:
        raise Unstorable(f"it is {size:,} bytes as JSON; at most {MAX_FREE_FORM_BYTES:,} allowed")
    return value


FreeForm = Annotated[dict[str, Any], AfterValidator(_free_form)]
"""A free-form object (template variables, deployment details), bounded in depth and size."""
