"""The experiment lifecycle: its phases and which of them are terminal or cancellable."""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    PENDING = "Pending"
    INITIALIZING = "Initializing"
    DEPLOYING = "Deploying"
    RUNNING = "Running"
    ANALYZING = "Analyzing"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELLED = "Cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def cancellable(self) -> bool:
        return self in CANCELLABLE


TERMINAL = frozenset({Phase.COMPLETED, Phase.FAILED, Phase.CANCELLED})
CANCELLABLE = frozenset({Phase.PENDING, Phase.INITIALIZING, Phase.DEPLOYING, Phase.RUNNING})


class Verdict(StrEnum):
    PROMOTE = "promote"
    REJECT = "reject"
    INCONCLUSIVE = "inconclusive"
