"""Phoenix's own identity: short-lived service tokens for its handlers, and a bus that uses them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from adapters.auth.local_key import LocalKey
from adapters.auth.tokens import issue
from domain.identity import Role
from domain.messages import CommandEnvelope
from handlers.ports import PublishAck

TTL = timedelta(minutes=10)
RENEW_BEFORE = timedelta(minutes=2)


class ServiceTokens:
    """A token per component (``reactor:analysis``, ``scheduler:lifecycle``, …), renewed
    before it expires: the audit trail names the component that sent each command.
    """

    def __init__(
        self, key: LocalKey, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.key, self.now = key, now
        self._cache: dict[str, tuple[str, datetime]] = {}

    def token(self, component: str) -> str:
        now = self.now()
        cached = self._cache.get(component)
        if cached is not None and now < cached[1] - RENEW_BEFORE:
            return cached[0]
        token = issue(self.key, component, [Role.SERVICE], ttl=TTL, now=now)
        self._cache[component] = (token, now + TTL)
        return token


class TokenBus(Protocol):
    async def send(self, envelope: CommandEnvelope, *, token: str | None = None) -> PublishAck: ...


class SigningBus:
    """A command bus that sends as one identity: what handlers are given to send commands."""

    def __init__(self, bus: TokenBus, token: Callable[[], str]) -> None:
        self.bus, self._token = bus, token

    async def send(self, envelope: CommandEnvelope) -> PublishAck:
        return await self.bus.send(envelope, token=self._token())


def service_bus(bus: TokenBus, tokens: ServiceTokens, component: str) -> SigningBus:
    return SigningBus(bus, lambda: tokens.token(component))
