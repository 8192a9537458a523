"""Simulated load keeps its collectors' cadence: a slow tick's overrun ticks are dropped, not bunched."""

from __future__ import annotations

import pytest

from adapters.load import next_tick


def test_a_tick_on_time_is_followed_one_interval_later() -> None:
    assert next_tick(10.0, 10.0, 2.0) == 12.0


def test_a_tick_a_little_late_keeps_the_grid() -> None:
    assert next_tick(10.0, 10.9, 2.0) == 12.0


def test_a_tick_late_by_more_than_half_an_interval_skips_the_grid_point_it_is_close_to() -> None:
    assert next_tick(10.0, 11.5, 2.0) == 14.0


@pytest.mark.parametrize("began", [10.0, 10.3, 11.0, 11.2, 13.7, 17.9, 25.0])
def test_the_next_tick_is_on_the_grid_and_never_sooner_than_half_an_interval(began: float) -> None:
    following = next_tick(10.0, began, 2.0)
    assert following >= began + 1.0
    assert following < began + 3.0
    assert (following - 10.0) % 2.0 == pytest.approx(0.0)
