"""Who calls the API: bearer tokens verified on every route but the probes, and role guards."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import ASGIApp, Guard

from adapters.nats.consumer import bearer_token
from domain.identity import Identity, Role
from handlers.ports import Authenticator, NotAuthenticated

REALM = 'Bearer realm="phoenix"'
# RFC 6750 §3.1: a request without a token gets the challenge with no error code.
NO_TOKEN = "this API needs a bearer token: `Authorization: Bearer <token>`"


class BearerAuthentication(AbstractAuthenticationMiddleware):
    """Verifies ``Authorization: Bearer <token>``; 401 (problem details) when it cannot."""

    def __init__(self, app: ASGIApp, *, authenticator: Authenticator, exclude: list[str]) -> None:
        super().__init__(app, exclude=exclude)
        self.authenticator = authenticator

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection.headers.get("authorization", ""))
        if token is None:
            raise NotAuthorizedException(NO_TOKEN, headers={"WWW-Authenticate": REALM})
        try:
            identity = await self.authenticator.verify(token)
        except NotAuthenticated as exc:
            raise NotAuthorizedException(
                str(exc), headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'}
            ) from None
        return AuthenticationResult(user=identity, auth=token)


def authentication(authenticator: Authenticator, *, metrics_public: bool) -> DefineMiddleware:
    """Every route needs a token but the probes, the OpenAPI document, the dashboard's page and
    assets (the app asks for a token before it calls the API), and (unless configured otherwise)
    /metrics.
    """
    public = ["^/healthz$", "^/readyz$", "^/schema", "^/$", "^/assets/"] + (
        ["^/metrics$"] if metrics_public else []
    )
    return DefineMiddleware(BearerAuthentication, authenticator=authenticator, exclude=public)


def identity_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    user = connection.scope.get("user")
    if not isinstance(user, Identity):  # a route outside authentication asked for one
        raise NotAuthorizedException(NO_TOKEN, headers={"WWW-Authenticate": REALM})
    return user


def requires(role: Role) -> Guard:
    """A guard: 403 (problem details) unless the caller holds ``role``."""

    # Async, as is_command below: Litestar runs a plain function in a worker thread, a thread
    # hop on every request.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        identity = identity_of(connection)
        if not identity.has(role):
            held = ", ".join(identity.role_names) or "no role"
            raise PermissionDeniedException(
                f"this needs the {role.value} role; {identity.subject} has {held}"
            )

    return guard


def command_rate_limit(spec: str) -> DefineMiddleware:
    """``N/second`` (or minute, hour, day) commands per subject on POST /api/v1/commands: one
    client cannot flood the bus. 429 with RateLimit-* headers beyond it.
    """
    count, _, unit = spec.partition("/")
    if (
        not count.strip().isdigit()
        or int(count) < 1
        or unit not in ("second", "minute", "hour", "day")
    ):
        raise ValueError(f"a rate limit reads like 20/second, not {spec!r}")

    def subject(request: Any) -> str:
        user = request.scope.get("user")
        return user.subject if isinstance(user, Identity) else "anonymous"

    async def is_command(request: Any) -> bool:
        return bool(request.method == "POST" and request.url.path == "/api/v1/commands")

    config = RateLimitConfig(
        rate_limit=(unit, int(count)),  # type: ignore[arg-type]
        identifier_for_request=subject,
        check_throttle_handler=is_command,
    )
    return config.middleware
