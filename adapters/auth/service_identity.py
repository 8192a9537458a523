"""Phoenix's own identity: short-lived service tokens for its handlers, and a bus that uses them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid5

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
        self._cache: dict[tuple[str, tuple[Role, ...]], tuple[str, datetime]] = {}
        self._ids = UUID(bytes=key.derive("service-command-ids")[:16])

    def command_id(self, derived: UUID) -> UUID:
        """The id Phoenix's own command really gets: the handler's derived id (the same for the
        same effect, so a redelivery sends it again) keyed with a secret of the signing key. Nobody
        without the key can know it in advance, so nobody can take it first (a command claims its
        id forever, and JetStream drops a second message with the same id).
        """
        return uuid5(self._ids, str(derived))

    def token(self, component: str, also: tuple[Role, ...] = ()) -> str:
        """The component's token: the service role, and ``also`` those roles (the operator
        creates experiments for whoever Kubernetes let create an Experiment object).
        """
        now = self.now()
        cached = self._cache.get((component, also))
        if cached is not None and now < cached[1] - RENEW_BEFORE:
            return cached[0]
        token = issue(self.key, component, [Role.SERVICE, *also], ttl=TTL, now=now)
        self._cache[(component, also)] = (token, now + TTL)
        return token


class TokenBus(Protocol):
    async def send(self, envelope: CommandEnvelope, *, token: str | None = None) -> PublishAck: ...


class SigningBus:
    """A command bus that sends as one identity: what handlers are given to send commands."""

    def __init__(
        self,
        bus: TokenBus,
        token: Callable[[], str],
        command_id: Callable[[UUID], UUID],
    ) -> None:
        self.bus, self._token, self._command_id = bus, token, command_id

    async def send(self, envelope: CommandEnvelope) -> PublishAck:
        keyed = envelope.model_copy(update={"command_id": self._command_id(envelope.command_id)})
        return await self.bus.send(keyed, token=self._token())


def service_bus(
    bus: TokenBus, tokens: ServiceTokens, component: str, also: tuple[Role, ...] = ()
) -> SigningBus:
    """``bus`` sending as ``component`` of Phoenix, with command ids only Phoenix can know."""
    return SigningBus(bus, lambda: tokens.token(component, also), tokens.command_id)
