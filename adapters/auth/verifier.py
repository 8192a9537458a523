"""Verifies bearer tokens: the local key's, and an OIDC provider's through its JWKS."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jwt

from adapters.auth.local_key import LocalKey
from adapters.auth.tokens import ALGORITHM, AUDIENCE, LOCAL_ISSUER
from adapters.settings import Settings, SettingsError
from domain.identity import Identity, Role, is_service_subject, roles_from
from handlers.ports import NotAuthenticated

log = logging.getLogger(__name__)

# Asymmetric only: a provider's JWKS never holds a shared secret, and "none" is never accepted.
OIDC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
LEEWAY_S = 30  # clocks of the provider and of Phoenix may differ this much
MAX_TOKEN_BYTES = 16 * 1024
CACHED_TOKENS = 1024


@dataclass(frozen=True)
class OidcTrust:
    """An OIDC provider whose tokens Phoenix accepts (Dex, Keycloak, Azure AD, Google, …)."""

    jwks_url: str
    issuer: str
    audience: str
    roles_claim: str = "roles"  # a dotted path, e.g. realm_access.roles for Keycloak
    subject_claim: str = "sub"  # e.g. email or preferred_username, for a readable audit trail


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class TokenVerifier:
    """Trusts the local key (issuer ``phoenix-local``) and, when configured, one OIDC provider.

    Only the local key can grant the ``service`` role: it is Phoenix's own, and a provider's
    token that claims it gets the role stripped.
    """

    def __init__(self, local: LocalKey, oidc: OidcTrust | None = None) -> None:
        self.local, self.oidc = local, oidc
        # Tokens whose signature and claims held, with their identity and times: a client that
        # polls sends the same token again and again, and a signature check costs ~0.4 ms here.
        # Times are still judged on every call.
        self._verified: OrderedDict[str, tuple[Identity, dict[str, Any]]] = OrderedDict()
        self._jwks = (
            jwt.PyJWKClient(oidc.jwks_url, cache_keys=True, lifespan=300, timeout=5)
            if oidc
            else None
        )

    async def verify(self, token: str, *, at: datetime | None = None) -> Identity:
        try:
            return await self._verify(token, at or datetime.now(UTC))
        except NotAuthenticated as exc:
            log.info("refused a token: %s", exc.reason)
            raise

    async def _verify(self, token: str, at: datetime) -> Identity:
        if not token or len(token) > MAX_TOKEN_BYTES:
            raise NotAuthenticated("no token, or one too long")
        known = self._verified.get(token)
        if known is not None:
            identity, times = known
            self._in_time(times, at)
            self._verified.move_to_end(token)
            return identity
        identity, times = await self._check(token)
        self._in_time(times, at)
        self._verified[token] = (identity, times)
        if len(self._verified) > CACHED_TOKENS:
            self._verified.popitem(last=False)
        return identity

    async def _check(self, token: str) -> tuple[Identity, dict[str, Any]]:
        """The identity of a token whose signature, issuer, audience and subject hold, and its
        times (judged by the caller).
        """
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise NotAuthenticated(f"malformed: {exc}") from None
        issuer = unverified.get("iss")
        if issuer == LOCAL_ISSUER:
            claims = self._decode(token, self.local.public, [ALGORITHM], LOCAL_ISSUER, AUDIENCE)
            subject, roles = claims.get("sub"), roles_from(claims.get("roles"))
        elif self.oidc is not None and self._jwks is not None and issuer == self.oidc.issuer:
            try:
                signing = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
            except jwt.PyJWTError as exc:
                raise NotAuthenticated(f"no key of {issuer} for it: {exc}") from None
            claims = self._decode(
                token, signing.key, OIDC_ALGORITHMS, self.oidc.issuer, self.oidc.audience
            )
            subject = _claim(claims, self.oidc.subject_claim)
            roles = roles_from(_claim(claims, self.oidc.roles_claim)) - {Role.SERVICE}
        else:
            raise NotAuthenticated(f"untrusted issuer {str(issuer)[:100]!r}")
        if not isinstance(subject, str) or not 0 < len(subject) <= 200:
            raise NotAuthenticated("no usable subject")
        if is_service_subject(subject) != (Role.SERVICE in roles):
            raise NotAuthenticated(
                f"subject {subject[:100]!r} does not go with roles {sorted(roles)}"
            )
        return Identity(subject, roles), {"exp": claims.get("exp"), "nbf": claims.get("nbf", 0)}

    @staticmethod
    def _decode(token: str, key: Any, algorithms: list[str], issuer: str, audience: str) -> Any:
        # Times are judged by _in_time, against when the command reached the bus.
        try:
            return jwt.decode(
                token,
                key,
                algorithms=algorithms,
                issuer=issuer,
                audience=audience,
                options={
                    "require": ["exp", "iat", "sub"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise NotAuthenticated(f"{type(exc).__name__}: {exc}") from None

    @staticmethod
    def _in_time(claims: dict[str, Any], at: datetime) -> None:
        now = at.timestamp()
        try:
            expires, not_before = float(claims["exp"]), float(claims.get("nbf", 0))
        except (TypeError, ValueError):
            raise NotAuthenticated("exp or nbf is not a number") from None
        if now > expires + LEEWAY_S:
            raise NotAuthenticated("expired")
        if now + LEEWAY_S < not_before:
            raise NotAuthenticated("not yet valid")


def oidc_trust(settings: Settings) -> OidcTrust | None:
    """The OIDC provider from PHOENIX_OIDC_* (all three of URL, issuer, audience, or none)."""
    given = {
        "PHOENIX_OIDC_JWKS_URL": settings.oidc_jwks_url,
        "PHOENIX_OIDC_ISSUER": settings.oidc_issuer,
        "PHOENIX_OIDC_AUDIENCE": settings.oidc_audience,
    }
    if not any(given.values()):
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise SettingsError(f"an OIDC provider needs {', '.join(missing)} as well")
    assert settings.oidc_jwks_url and settings.oidc_issuer and settings.oidc_audience
    jwks = urlsplit(settings.oidc_jwks_url)
    loopback = jwks.scheme == "http" and jwks.hostname in ("127.0.0.1", "localhost", "::1")
    if jwks.scheme != "https" and not loopback:
        raise SettingsError("PHOENIX_OIDC_JWKS_URL must be https:// (or http:// on loopback)")
    if settings.oidc_issuer == LOCAL_ISSUER:
        raise SettingsError(
            f"PHOENIX_OIDC_ISSUER cannot be {LOCAL_ISSUER!r}: that is Phoenix's own"
        )
    return OidcTrust(
        jwks_url=settings.oidc_jwks_url,
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        roles_claim=settings.oidc_roles_claim,
        subject_claim=settings.oidc_subject_claim,
    )
