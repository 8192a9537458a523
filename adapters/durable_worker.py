"""What every worker on a durable consumer does alike: start consuming, and stop (what arrives
meanwhile waits on the bus); the worker itself says only what to do with each delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.nats.consumer import (
    DeadLetterSink,
    Delivery,
    DeliveryPolicy,
    MessageBus,
    Subscription,
)


class DurableWorker:
    def __init__(
        self,
        bus: MessageBus,
        dead_letters: DeadLetterSink,
        *,
        durable: str,
        stream: str,
        subject: str,
        policy: DeliveryPolicy,
        lanes: Callable[[Delivery], frozenset[str]] | None = None,
        filters: tuple[str, ...] = (),
    ) -> None:
        self.bus, self.dead_letters, self.policy = bus, dead_letters, policy
        self.lanes, self.filters = lanes, filters
        self.durable, self.stream, self.subject = durable, stream, subject
        self._consumer: Any = None

    async def on_delivery(self, delivery: Delivery) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        self._consumer = await self.bus.consume(
            Subscription(
                self.durable,
                self.stream,
                self.subject,
                self.on_delivery,
                self.dead_letters,
                self.policy,
                self.lanes,
                self.filters,
            )
        )

    async def stop(self) -> None:
        """Stop consuming; what arrives meanwhile waits in the durable consumer."""
        if self._consumer is not None:
            await self.bus.stop_consumer(self._consumer)
            self._consumer = None
