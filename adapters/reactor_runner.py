"""Runs a reactor on its own durable consumer of PHOENIX_EVENTS, each event's effect once."""

from __future__ import annotations

import logging

from adapters.durable_worker import DurableWorker
from adapters.nats.consumer import (
    DeadLetterSink,
    Delivery,
    DeliveryPolicy,
    MessageBus,
    PermanentFailure,
)
from adapters.nats.streams import EVENT_SUBJECTS, EVENTS
from domain.errors import UnknownMessageType
from domain.mapper import occurred
from domain.messages import RecordedEvent
from handlers.ports import CommandBus, Tracking
from handlers.reactor import Reactor, event_type_names, failure_command, reaction_commands

log = logging.getLogger(__name__)


class ReactorRunner(DurableWorker):
    def __init__(
        self,
        bus: MessageBus,
        tracking: Tracking,
        reactor: Reactor,
        dead_letters: DeadLetterSink,
        *,
        sender: CommandBus,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        takes = event_type_names(reactor)
        super().__init__(
            bus,
            dead_letters,
            durable=f"reactor-{reactor.name}",
            stream=EVENTS,
            subject=EVENT_SUBJECTS,
            policy=policy or DeliveryPolicy(batch_size=1),
            # Only the events it takes reach it: the others cost it nothing (five reactors each
            # fetched, decoded and acknowledged every event of the log).
            filters=tuple(f"phoenix.evt.*.{kind}" for kind in sorted(takes)),
        )
        self.tracking, self.reactor = tracking, reactor
        self.sender = sender  # sends as the reactor's own service identity
        self.takes = takes

    async def on_delivery(self, delivery: Delivery) -> None:
        if delivery.headers.get("Phoenix-Event-Type") not in self.takes:
            return
        try:
            event = occurred(RecordedEvent.model_validate_json(delivery.body))
        except (ValueError, UnknownMessageType) as exc:
            raise PermanentFailure(f"not a stored event this Phoenix can read: {exc}") from exc
        name = self.reactor.name
        if await self.tracking.has_tracking_id(name, event.event_id):
            return
        try:
            commands = await self.reactor.react(event)
        except Exception as exc:
            if delivery.delivered >= self.policy.max_deliveries:
                # The last try: the event will be dead-lettered, and its experiment must not
                # wait forever for an effect that will not come.
                failed = failure_command(name, event, exc)
                if failed is not None:
                    await self.sender.send(failed)
            raise
        # Sent before the effect is recorded: a crash in between re-sends the same command ids,
        # which the command worker answers as duplicates.
        for command in reaction_commands(name, event, commands):
            await self.sender.send(command)
        await self.tracking.track(name, event.event_id)
