"""What a decision may know besides the state: the time, who asks, and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Context:
    now: datetime
    actor: str = "anonymous"
    roles: tuple[str, ...] = ()
