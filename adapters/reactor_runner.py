"""Runs a reactor on its own durable consumer of PHOENIX_EVENTS, each event's effect once."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.bus import NatsBus
from adapters.nats.consumer import DeadLetterSink, Delivery, DeliveryPolicy, PermanentFailure
from adapters.nats.streams import EVENT_SUBJECTS, EVENTS
from adapters.postgres.schema import reactor_effects
from domain.messages import RecordedEvent
from handlers.reactor import Reactor, failure_command, reaction_commands

log = logging.getLogger(__name__)


class ReactorRunner:
    def __init__(
        self,
        bus: NatsBus,
        engine: AsyncEngine,
        reactor: Reactor,
        dead_letters: DeadLetterSink,
        *,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self.bus = bus
        self.engine = engine
        self.reactor = reactor
        self.dead_letters = dead_letters
        self.policy = policy or DeliveryPolicy(batch_size=1)
        self._subscriber: Any = None

    @property
    def durable(self) -> str:
        return f"reactor-{self.reactor.name}"

    async def stop(self) -> None:
        """Stop consuming; what arrives meanwhile waits in the durable consumer."""
        if self._subscriber is not None:
            await self.bus.stop_consumer(self._subscriber)
            self._subscriber = None

    async def start(self) -> None:
        self._subscriber = await self.bus.consume(
            durable=self.durable,
            stream=EVENTS,
            subject=EVENT_SUBJECTS,
            handler=self.on_delivery,
            dead_letters=self.dead_letters,
            policy=self.policy,
        )

    async def on_delivery(self, delivery: Delivery) -> None:
        if delivery.headers.get("Phoenix-Event-Type") not in self.reactor.event_types:
            return
        try:
            event = RecordedEvent.model_validate_json(delivery.body)
        except ValueError as exc:
            raise PermanentFailure(f"not a stored event: {exc}") from exc
        key = {"reactor": self.reactor.name, "event_id": event.event_id}
        async with self.engine.connect() as conn:
            done = (await conn.execute(select(reactor_effects).filter_by(**key))).first()
        if done is not None:
            return
        try:
            reaction = await self.reactor.react(event)
        except Exception as exc:
            if delivery.delivered >= self.policy.max_deliveries:
                # The last try: the event will be dead-lettered, and its experiment must not
                # wait forever for an effect that will not come.
                failed = failure_command(self.reactor.name, event, exc)
                if failed is not None:
                    await self.bus.send(failed)
            raise
        # Sent before the effect is recorded: a crash in between re-sends the same command ids,
        # which the command worker answers as duplicates.
        for command in reaction_commands(self.reactor.name, event, reaction):
            await self.bus.send(command)
        async with self.engine.begin() as conn:
            await conn.execute(insert(reactor_effects).values(**key).on_conflict_do_nothing())
