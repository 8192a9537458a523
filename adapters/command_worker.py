"""The command worker: consumes PHOENIX_COMMANDS and hands each command to the handler."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from adapters.durable_worker import DurableWorker
from adapters.metrics import Metrics
from adapters.nats.consumer import (
    DeadLetterSink,
    Delivery,
    DeliveryPolicy,
    MessageBus,
    PermanentFailure,
)
from adapters.nats.streams import COMMAND_SUBJECTS, COMMANDS
from domain.messages import CommandEnvelope
from handlers.command_handler import CommandHandler, describe_validation_error
from handlers.command_lanes import command_lane
from handlers.ports import Authenticator, NotAuthenticated

log = logging.getLogger(__name__)

DURABLE = "command-worker"
# Fetched one at a time (FastStream runs a fetched batch's messages concurrently, so their
# order would be lost); each is queued on its lanes at once and the next fetched, up to 128
# taken off the bus and not yet acknowledged, whatever their streams.
IN_LANES = DeliveryPolicy(workers=1, batch_size=1, max_in_flight=128)
NO_TOKEN = (
    "not authenticated: no bearer token came with the command "
    "(send it in the header `Authorization: Bearer <token>`)"
)


def _command_id(payload: Any, delivery: Delivery) -> UUID | None:
    for candidate in (
        payload.get("command_id") if isinstance(payload, dict) else None,
        delivery.message_id,
    ):
        try:
            return UUID(str(candidate))
        except ValueError:
            continue
    return None


class _NamingTheSender:
    """Records a command's dead letter with the subject its token verifies as (the token itself
    is not kept), so that a re-drive can tell a command Phoenix's handlers sent from one that
    only claims to be theirs.
    """

    def __init__(self, sink: DeadLetterSink, authenticator: Authenticator) -> None:
        self.sink, self.authenticator = sink, authenticator

    async def record(self, delivery: Delivery, error: str) -> None:
        sender, token = None, delivery.bearer_token
        if token is not None:
            try:
                identity = await self.authenticator.verify(token, at=delivery.published_at)
            except NotAuthenticated:
                pass
            else:
                sender = identity.subject
        await self.sink.record(replace(delivery, verified_sender=sender), error)


class CommandWorker(DurableWorker):
    def __init__(
        self,
        bus: MessageBus,
        handler: CommandHandler,
        authenticator: Authenticator,
        dead_letters: DeadLetterSink,
        metrics: Metrics | None = None,
        *,
        durable: str = DURABLE,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        # Commands on different streams are decided in parallel; those on one stream (or on a
        # pipeline an experiment names) in the order sent: a Create followed by a Start must be
        # decided in that order (handlers.command_lanes).
        super().__init__(
            bus,
            _NamingTheSender(dead_letters, authenticator),
            durable=durable,
            stream=COMMANDS,
            subject=COMMAND_SUBJECTS,
            policy=policy or IN_LANES,
            lanes=lambda delivery: command_lane(delivery.body, delivery.stream_sequence),
        )
        self.handler, self.authenticator, self.metrics = handler, authenticator, metrics

    async def on_delivery(self, delivery: Delivery) -> None:
        try:
            payload = json.loads(delivery.body)
        except ValueError as exc:
            payload, problem = None, f"the body is not JSON: {exc}"
        except RecursionError:
            payload, problem = None, "the body is nested too deeply to read"
        else:
            try:
                envelope = CommandEnvelope.model_validate(payload)
            except ValidationError as exc:
                problem = "the command envelope is invalid: " + describe_validation_error(
                    exc
                ).replace("data.", "", -1)
            else:
                await self._handle(envelope, delivery)
                return
        command_id = _command_id(payload, delivery)
        if command_id is None:
            raise PermanentFailure(f"{problem}; and it carries no command id to answer to")
        kind = payload.get("type") if isinstance(payload, dict) else None
        # Truncated: the rejection itself must be a valid envelope, whatever was sent.
        kind = str(kind or "").replace("\x00", "")[:200] or "unknown"
        envelope = CommandEnvelope(command_id=command_id, type=kind, data={})
        result = await self.handler.reject(envelope, problem)
        self._count(envelope.type, result.result, 0)

    async def _handle(self, envelope: CommandEnvelope, delivery: Delivery) -> None:
        token = delivery.bearer_token
        if token is None:
            result = await self.handler.reject(envelope, NO_TOKEN)
        else:
            try:
                identity = await self.authenticator.verify(token, at=delivery.published_at)
            except NotAuthenticated as exc:
                result = await self.handler.reject(envelope, f"not authenticated: {exc}")
            else:
                result = await self.handler.handle(envelope, identity)
        if result.result == "rejected":
            log.info("rejected %s %s: %s", envelope.type, envelope.command_id, result.reason)
        self._count(envelope.type, result.result, len(result.events))

    def _count(self, kind: str, outcome: str, events: int) -> None:
        if self.metrics is not None:
            self.metrics.commands.labels(kind, outcome).inc()
            self.metrics.events_appended.inc(events)
