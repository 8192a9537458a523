"""What a metrics backend charges for what a pipeline emits."""

from __future__ import annotations

from dataclasses import dataclass

MINUTES_PER_MONTH = 60 * 24 * 30


@dataclass(frozen=True)
class Prices:
    """What a metrics backend charges: per active series a month, per million datapoints."""

    per_series_month: float = 0.05
    per_million_datapoints: float = 0.10


DEFAULT_PRICES = Prices()


def cost(series: int, dpm: float, prices: Prices = DEFAULT_PRICES) -> float:
    """A month's cost of ``series`` active series sending ``dpm`` datapoints a minute."""
    return (
        series * prices.per_series_month
        + dpm * MINUTES_PER_MONTH / 1e6 * prices.per_million_datapoints
    )


def per_minute(datapoints: int, minutes: float) -> float:
    return datapoints / minutes if minutes else 0.0
