"""What every clock must tell: the time in UTC, never going back."""

from __future__ import annotations

from datetime import UTC, timedelta

from handlers.ports import Clock


class ClockContract:
    """Subclass with a ``clock`` fixture."""

    def test_the_time_is_timezone_aware_utc(self, clock: Clock) -> None:
        now = clock.now()
        assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
        assert now.astimezone(UTC) == now

    def test_the_time_never_goes_back(self, clock: Clock) -> None:
        readings = [clock.now() for _ in range(100)]
        assert readings == sorted(readings)
