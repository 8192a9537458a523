"""Experiments put into a store at a chosen phase, through the command handler, for the contracts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID, uuid4

from domain.experiment import commands as cmd
from domain.experiment.phase import Verdict
from domain.identity import Identity, Role
from domain.mapper import to_envelope
from domain.messages import Command, CommandMetadata
from domain.pipeline import commands as pcmd
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler
from handlers.ports import EventStore

T = TypeVar("T")

VARIANTS = ("baseline", "candidate")


@dataclass
class Seeded(Generic[T]):
    """A read side under test (``of``), the store it reads, and how to let it catch up."""

    of: T
    store: EventStore
    catch_up: Callable[[], Awaitable[object]]


CRITICAL = ("^postgres$",)


def to_running(xid: UUID, *, seconds: int, pipeline: str | None = None) -> list[Command]:
    """An experiment of two variants with a 1 s collection interval, up to Running; with
    ``pipeline``, its candidate runs that registered pipeline.
    """
    every = {"collection_interval": "1s"}
    candidate: dict[str, object] = (
        {"name": VARIANTS[1], "pipeline": pipeline}
        if pipeline
        else {"name": VARIANTS[1], "template": "process-aggregated-v1", "variables": every}
    )
    return [
        cmd.CreateExperiment.model_validate(
            {
                "experiment_id": xid,
                "name": "contract",
                "baseline": {
                    "name": VARIANTS[0],
                    "template": "process-baseline-v1",
                    "variables": every,
                },
                "candidates": [candidate],
                "duration_seconds": seconds,
                "critical_processes": list(CRITICAL),
            }
        ),
        cmd.StartExperiment(experiment_id=xid),
        cmd.RecordConfigsGenerated(
            experiment_id=xid,
            configs=tuple(
                cmd.VariantConfig(variant=v, config="receivers: {}", sha256="0" * 64)
                for v in VARIANTS
            ),
        ),
        *(cmd.RecordVariantDeployed(experiment_id=xid, variant=v) for v in VARIANTS),
    ]


def to_completed(xid: UUID) -> list[Command]:
    return [
        cmd.CloseObservationWindow(experiment_id=xid),
        cmd.RecordAnalysis(
            experiment_id=xid,
            results=(cmd.VariantResult(variant=VARIANTS[1], verdict=Verdict.REJECT),),
        ),
    ]


SENDER = Identity("t", frozenset(Role))  # whoever may send each of these commands


async def experiment(
    store: EventStore,
    *,
    at: datetime,
    seconds: int = 60,
    completed: bool = False,
    pipeline: str | None = None,
) -> UUID:
    """A new experiment, Running from ``at`` for ``seconds`` (or on to Completed); with
    ``pipeline``, its candidate runs that registered pipeline.
    """
    xid = uuid4()
    handler = CommandHandler(store, FixedClock(at))
    commands = to_running(xid, seconds=seconds, pipeline=pipeline) + (
        to_completed(xid) if completed else []
    )
    for command in commands:
        envelope = to_envelope(command, command_id=uuid4(), metadata=CommandMetadata(actor="t"))
        result = await handler.handle(envelope, SENDER)
        assert result.result == "accepted", result.reason
    return xid


async def registered(
    store: EventStore,
    name: str,
    configs: list[str],
    *,
    at: datetime,
    deprecated: str = "",
    promoted_by: UUID | None = None,
) -> None:
    """A pipeline registered with ``configs[0]`` and revised with each of the others (the last
    promoted by the experiment ``promoted_by``, if given).
    """
    handler = CommandHandler(store, FixedClock(at))
    commands: list[Command] = [pcmd.RegisterPipeline(name=name, config=configs[0])]
    commands += [pcmd.RevisePipeline(name=name, config=c) for c in configs[1:]]
    if promoted_by is not None:
        commands.append(
            pcmd.PromotePipelineVersion(
                name=name, config=configs[-1], experiment_id=promoted_by, variant="candidate"
            )
        )
    if deprecated:
        commands.append(pcmd.DeprecatePipeline(name=name, reason=deprecated))
    for command in commands:
        envelope = to_envelope(command, command_id=uuid4(), metadata=CommandMetadata(actor="t"))
        result = await handler.handle(envelope, SENDER)
        assert result.result == "accepted", result.reason
