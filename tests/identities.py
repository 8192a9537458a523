"""Identities and tokens for tests: a signing key of their own, and tokens made with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.auth.local_key import LocalKey
from adapters.auth.service_identity import ServiceTokens, SigningBus, TokenBus, service_bus
from adapters.auth.tokens import issue
from adapters.auth.verifier import TokenVerifier
from domain.identity import Identity, Role

KEY = LocalKey.generate()
VERIFIER = TokenVerifier(KEY)
SERVICE = ServiceTokens(KEY)

# Holds every role, the service's included: for tests of the handler's decisions, not of who
# may make them (tests/unit/test_permissions.py).
EVERYONE = Identity("tester", frozenset(Role))
OPERATOR = Identity("alice", frozenset({Role.OPERATOR}))


def token(
    subject: str = "alice",
    *roles: Role,
    now: datetime | None = None,
    ttl: timedelta = timedelta(hours=1),
    key: LocalKey = KEY,
) -> str:
    """A token signed by ``key`` (the tests' own by default), issued ``now``."""
    return issue(key, subject, roles, ttl=ttl, now=now or datetime.now(UTC))


def bearer(subject: str = "alice", *roles: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(subject, *roles)}"}


def operator() -> str:
    """A fresh token for alice, an operator."""
    return token("alice", Role.OPERATOR)


def signed(bus: TokenBus, component: str = "reactor:test") -> SigningBus:
    """``bus`` sending as one of Phoenix's own components (signed by the tests' key)."""
    return service_bus(bus, SERVICE, component)
