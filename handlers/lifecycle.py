"""Lifecycle: close observation windows when they are due, and ask for teardown when it ends."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from uuid import UUID

from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.ids import derived_id
from domain.mapper import Occurred, to_envelope
from domain.messages import Command, CommandEnvelope, CommandMetadata, Event
from handlers.ports import Clock, CommandBus, ExperimentIndex
from handlers.ticking import every

log = logging.getLogger(__name__)


class Lifecycle:
    """Reacts to every terminal event with RequestTeardown (the deployment handler does it)."""

    name = "lifecycle"
    event_types = (ev.ExperimentCompleted, ev.ExperimentFailed, ev.ExperimentCancelled)

    async def react(self, occurred: Occurred[Event]) -> list[Command]:
        event = occurred.event
        assert isinstance(event, self.event_types)
        return [cmd.RequestTeardown(experiment_id=event.experiment_id)]


def scheduler_command(command: cmd.ExperimentCommand, *about: str) -> CommandEnvelope:
    """A scheduler's command, its id derived from what it is about: sending it twice is harmless."""
    return to_envelope(
        command,
        command_id=derived_id("scheduler", command.type_name(), command.experiment_id, *about),
        metadata=CommandMetadata(actor="scheduler:lifecycle"),
    )


SETTLE = timedelta(seconds=2)  # as the interval recorder's grace for late batches


class WindowScheduler:
    """Closes each observation window at its deadline; the deadline lives in the log.

    It reads due deadlines from the experiments read model, so a restart loses none: a window
    that ended while nothing ran is closed on the first tick after.
    """

    def __init__(
        self,
        index: ExperimentIndex,
        bus: CommandBus,
        clock: Clock,
        *,
        tick: float = 0.25,
        settle: timedelta = SETTLE,
    ) -> None:
        self.index, self.bus, self.clock, self.tick = index, bus, clock, tick
        self.settle = settle

    async def run_once(self) -> list[UUID]:
        # A little after the deadline: batches stamped before it may still be on their way
        # (a collector's batch timeout, the export), and must count in the window they belong to.
        due = await self.index.due_windows(self.clock.now() - self.settle)
        for experiment_id in due:
            await self.bus.send(
                scheduler_command(cmd.CloseObservationWindow(experiment_id=experiment_id))
            )
        return due

    async def run(self, stop: asyncio.Event) -> None:
        await every(self.tick, stop, self.run_once)
