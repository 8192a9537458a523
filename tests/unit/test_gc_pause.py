"""The cycle collector is held off only for the block, and left as it was found."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from adapters.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def collector_enabled_again() -> Iterator[None]:
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_the_block_raises() -> None:
    with pytest.raises(ValueError, match="cannot be decoded"), gc_paused():
        raise ValueError("a page that cannot be decoded")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
