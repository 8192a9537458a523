"""Lifecycle: close observation windows when they are due, and ask for teardown when it ends."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from uuid import UUID

from domain.ids import derived_id
from domain.messages import CommandEnvelope, CommandMetadata, RecordedEvent
from handlers.ports import Clock, CommandBus, ExperimentIndex
from handlers.reactor import Reaction
from handlers.ticking import every

log = logging.getLogger(__name__)

TERMINAL_EVENTS = frozenset({"ExperimentCompleted", "ExperimentFailed", "ExperimentCancelled"})


class Lifecycle:
    """Reacts to every terminal event with RequestTeardown (the deployment handler does it)."""

    name = "lifecycle"
    event_types = TERMINAL_EVENTS

    async def react(self, event: RecordedEvent) -> Reaction:
        return Reaction(
            commands=[("RequestTeardown", {"experiment_id": str(event.data["experiment_id"])})]
        )


def scheduler_command(
    kind: str, experiment_id: UUID, data: dict[str, object], *about: str
) -> CommandEnvelope:
    """A scheduler's command, its id derived from what it is about: sending it twice is harmless."""
    return CommandEnvelope(
        command_id=derived_id("scheduler", kind, experiment_id, *about),
        type=kind,
        data={"experiment_id": str(experiment_id), **data},
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
            await self.bus.send(scheduler_command("CloseObservationWindow", experiment_id, {}))
        return due

    async def run(self, stop: asyncio.Event) -> None:
        await every(self.tick, stop, self.run_once)
