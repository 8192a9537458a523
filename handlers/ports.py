"""The ports the application layer needs, and the errors they raise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from domain.analysis.windows import CollectorReport, Overhead, VariantWindow
from domain.experiment.phase import Phase
from domain.experiment.spec import Target
from domain.identity import Identity
from domain.messages import CommandEnvelope, NewEvent, RecordedEvent
from domain.telemetry.model import Batch


class ConcurrencyError(Exception):
    """The stream moved on since it was read: ``expected_version`` is stale."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        self.stream_id, self.expected, self.actual = stream_id, expected, actual
        super().__init__(f"{stream_id} is at version {actual}, not {expected}")


class CommandAlreadyHandled(Exception):
    """The command's effect is already recorded; handling it again must change nothing."""

    def __init__(self, command_id: UUID) -> None:
        self.command_id = command_id
        super().__init__(f"command {command_id} has already been handled")


Outcome = Literal["accepted", "rejected"]


@dataclass(frozen=True)
class HandledCommand:
    """A command's recorded outcome: it is written in the same transaction as its events."""

    command_id: UUID
    command_type: str
    stream_id: str
    outcome: Outcome


class EventStore(Protocol):
    """The append-only log: the only source of truth."""

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        command: HandledCommand | None = None,
    ) -> list[RecordedEvent]:
        """Append atomically after ``expected_version`` (0 for a new stream).

        Raises ConcurrencyError when the stream is elsewhere, CommandAlreadyHandled when the
        command is already recorded. Re-appending events whose ids are stored already returns
        the stored events and changes nothing.
        """
        ...

    async def read_stream(self, stream_id: str, from_version: int = 1) -> list[RecordedEvent]: ...

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]: ...

    async def head_position(self) -> int: ...

    async def handled_command(self, command_id: UUID) -> HandledCommand | None: ...


@dataclass(frozen=True)
class PublishAck:
    stream: str
    sequence: int
    duplicate: bool


class CommandBus(Protocol):
    """Where commands go: the bus, deduplicated by command id."""

    async def send(self, envelope: CommandEnvelope) -> PublishAck: ...


class NotAuthenticated(Exception):
    """No identity could be established: the token is missing, malformed, expired, not yet
    valid, for another issuer or audience, or not signed by a trusted key. The message says only
    that (RFC 6750: what failed is for the server's log, not for the sender); ``reason`` says what.
    """

    PUBLIC = "the bearer token is missing or not valid (expired, or not signed by a trusted issuer)"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(self.PUBLIC)


class Authenticator(Protocol):
    """Turns a bearer token into a verified identity."""

    async def verify(self, token: str, *, at: datetime | None = None) -> Identity:
        """The token's identity, its expiry judged at ``at`` (when the bus took the command;
        now when None). NotAuthenticated if it cannot be trusted.
        """
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class DeploymentError(Exception):
    """A variant could not be deployed; the message says why, for the experiment's record."""


class CollectorExited(Exception):
    """A variant's collector is no longer running; the message says how it ended."""


@dataclass(frozen=True)
class Deployment:
    experiment_id: UUID
    variant: str
    details: dict[str, str]


class Deployer(Protocol):
    """Runs a variant's collector config somewhere, and takes it down again."""

    async def deploy(
        self, experiment_id: UUID, variant: str, config: str, *, target: Target | None = None
    ) -> Deployment:
        """Run the config where ``target`` says (deployers of one host ignore it); deploying
        what already runs is harmless. DeploymentError if it cannot.
        """
        ...

    async def overhead(self, experiment_id: UUID, variant: str) -> Overhead | None:
        """What the variant's collectors cost; None where no collector process runs (none is
        deployed, or the deployer runs none). CollectorExited if its collector has exited.
        """
        ...

    async def teardown(self, experiment_id: UUID, variant: str) -> None:
        """Take the variant down; taking down what does not run is harmless."""
        ...

    async def teardown_all(self) -> None:
        """Take down everything this deployer runs (when Phoenix stops)."""
        ...


class MetricsSource(Protocol):
    """Where the variants' output is measured: Phoenix's own sink, or a Prometheus."""

    async def window(
        self,
        experiment_id: UUID,
        variant: str,
        *,
        start: datetime,
        end: datetime,
        intervals: int,
        critical_processes: Sequence[str],
    ) -> VariantWindow: ...

    async def collectors(
        self, experiment_id: UUID, variant: str, *, start: datetime, end: datetime
    ) -> CollectorReport | None:
        """What the variant's collectors reported of themselves over the window, where the
        source sees their own telemetry; None where it does not.
        """
        ...


class CollectorCheck(Protocol):
    """A real collector's own check of a config (``otelcol validate``), where there is one."""

    async def refusal(self, config: str) -> str | None:
        """None when the collector accepts ``config``; else what it said."""
        ...


class SampleLoad(Protocol):
    """Telemetry to predict a pipeline's effect on before it runs: scrapes of the process
    scraper, each (time in ns, batches), ``interval_nanos`` apart.
    """

    interval_nanos: int

    def scrapes(self) -> Sequence[tuple[int, list[Batch]]]: ...


@dataclass(frozen=True)
class Commit:
    commit_id: str
    repository: str
    branch: str


class GitOps(Protocol):
    """The repository promoted configs are committed to."""

    async def commit(self, *, branch: str, files: dict[str, str], message: str, key: str) -> Commit:
        """Commit ``files`` on ``branch``; a commit carrying ``key`` already there is returned."""
        ...


class ExperimentIndex(Protocol):
    """What the schedulers read: experiments by phase, and windows that are due to close."""

    async def due_windows(self, now: datetime) -> list[UUID]: ...

    async def in_phases(self, phases: Sequence[Phase]) -> list[UUID]: ...


class Tracking(Protocol):
    """What each consumer of the log has done: the events a reactor acted on (by id) and how far
    a reader has come (by position) — pyeventsourcing's process recorder.
    """

    async def has_tracking_id(self, consumer: str, event_id: UUID) -> bool:
        """Whether ``consumer`` has recorded its effect of the event."""
        ...

    async def track(self, consumer: str, event_id: UUID) -> None:
        """Record that ``consumer`` acted on the event; recording it twice is harmless."""
        ...

    async def max_tracking_id(self, consumer: str) -> int:
        """The position ``consumer`` has come to in the log (0 before its first event)."""
        ...

    async def track_position(self, consumer: str, position: int) -> None:
        """Record that ``consumer`` has come to ``position``."""
        ...
