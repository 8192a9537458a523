"""The sink's fast series hashing gives exactly the stable hashes intervals are stored with."""

from __future__ import annotations

from adapters.measured_intervals import series_hash, series_hashes
from domain.telemetry.model import series_of
from simulator.fleet import EPOCH, Fleet

SECOND = 1_000_000_000


def test_hashing_a_batch_at_once_equals_hashing_each_series_key() -> None:
    for profile, seed in (("realistic", 3), ("high-cardinality", 5)):
        fleet = Fleet(profile, 3, seed=seed)
        for batch in fleet.scrape(EPOCH + 30 * SECOND):
            assert series_hashes(batch) == {series_hash(key) for key in series_of(batch)}


def test_an_empty_batch_has_no_series() -> None:
    assert series_hashes([]) == set()
