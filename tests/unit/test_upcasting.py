"""Old event schema versions are brought up to date on read, step by step."""

from __future__ import annotations

import pytest

from domain.upcasting import upcast

TABLE = {
    ("Thing", 1): lambda d: {**d, "b": 0},
    ("Thing", 2): lambda d: {"renamed": d["a"], "b": d["b"]},
}


def test_an_old_event_is_carried_through_every_step_to_the_current_version() -> None:
    assert upcast("Thing", 1, {"a": 5}, 3, TABLE) == {"renamed": 5, "b": 0}


def test_a_current_event_is_left_as_it_is() -> None:
    assert upcast("Thing", 3, {"renamed": 1, "b": 2}, 3, TABLE) == {"renamed": 1, "b": 2}


def test_a_missing_step_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="no upcaster for Thing v1 -> v2"):
        upcast("Thing", 1, {}, 2, {})


def test_an_event_newer_than_the_code_is_an_error() -> None:
    with pytest.raises(ValueError, match="newer than this code knows"):
        upcast("Thing", 4, {}, 3, TABLE)
