"""What every tracking store must keep: the events each reactor acted on, and how far each reader came."""

from __future__ import annotations

from uuid import uuid4

from handlers.ports import Tracking


class TrackingContract:
    """Subclass with a ``tracking`` fixture yielding an empty tracking store."""

    async def test_an_event_is_tracked_for_the_consumer_that_acted_on_it_only(
        self, tracking: Tracking
    ) -> None:
        event_id = uuid4()
        assert not await tracking.has_tracking_id("analysis", event_id)
        await tracking.track("analysis", event_id)
        assert await tracking.has_tracking_id("analysis", event_id)
        assert not await tracking.has_tracking_id("promotion", event_id)
        assert not await tracking.has_tracking_id("analysis", uuid4())

    async def test_tracking_an_event_twice_is_harmless(self, tracking: Tracking) -> None:
        event_id = uuid4()
        await tracking.track("analysis", event_id)
        await tracking.track("analysis", event_id)
        assert await tracking.has_tracking_id("analysis", event_id)

    async def test_a_reader_starts_at_zero_and_keeps_the_position_it_came_to(
        self, tracking: Tracking
    ) -> None:
        assert await tracking.max_tracking_id("relay") == 0
        await tracking.track_position("relay", 7)
        await tracking.track_position("relay", 12)
        assert await tracking.max_tracking_id("relay") == 12
        assert await tracking.max_tracking_id("projection:experiments") == 0
