"""Old event schema versions brought up to date on read, by pure functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]

# (event type, schema version it reads) -> function giving the data of the next version.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


def upcast(
    event_type: str,
    version: int,
    data: Data,
    target: int,
    upcasters: dict[tuple[str, int], Upcaster] | None = None,
) -> Data:
    """``data`` of ``event_type`` at ``version``, carried step by step to ``target``."""
    table = UPCASTERS if upcasters is None else upcasters
    while version < target:
        step = table.get((event_type, version))
        if step is None:
            raise ValueError(f"no upcaster for {event_type} v{version} -> v{version + 1}")
        data = step(data)
        version += 1
    if version > target:
        raise ValueError(f"{event_type} v{version} is newer than this code knows (v{target})")
    return data
