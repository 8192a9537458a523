"""Python's cycle collector held off while a batch of acyclic objects is built in one go."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off the cycle collector for a synchronous build of many objects that form no cycles
    (a page of decoded events): otherwise every 700 allocations start a collection that walks
    the young objects, and the older generations' collections walk the whole heap, for nothing
    to free; in a long-lived process that was three quarters of decoding a page of events
    (bench/README.md). The collections are not skipped, only run after: allocations still count.
    Never hold it across an ``await``: it pauses the collector for the whole process.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
