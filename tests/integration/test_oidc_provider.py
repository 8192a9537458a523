"""Tokens from an OIDC provider, verified through its JWKS over HTTP.

The provider here is a stand-in: a loopback HTTP server that serves a JWKS document, as Dex,
Keycloak, Azure AD or Google serve theirs, and tokens signed with its RSA key. It proves the key
lookup by ``kid``, the issuer, audience, subject and roles claims, and that a provider cannot grant
the service role. It does not prove a login flow (Phoenix takes tokens; it never runs one).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.auth.local_key import LocalKey
from adapters.auth.verifier import OidcTrust, TokenVerifier
from domain.identity import Identity, Role
from handlers.ports import NotAuthenticated

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    def __init__(self) -> None:
        jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
        document = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})

        class Keys(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = document.encode()
                self.send_response(200 if self.path == "/keys" else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def token(self, key: Any = KEY, kid: str = "k1", **claims: Any) -> str:
        now = datetime.now(UTC)
        body = {
            "iss": self.issuer,
            "aud": "phoenix",
            "sub": "7f3a9c",
            "email": "alice@example.com",
            "realm_access": {"roles": ["operator", "service", "offline_access"]},
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()),
        } | claims
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    stand_in = Provider()
    thread = threading.Thread(target=stand_in.server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    stand_in.server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def verifier(provider: Provider) -> TokenVerifier:
    trust = OidcTrust(
        jwks_url=f"{provider.issuer}/keys",
        issuer=provider.issuer,
        audience="phoenix",
        roles_claim="realm_access.roles",
        subject_claim="email",
    )
    return TokenVerifier(LocalKey.generate(), trust)


async def test_a_provider_s_token_gives_the_configured_subject_and_roles_but_never_service(
    provider: Provider, verifier: TokenVerifier
) -> None:
    identity = await verifier.verify(provider.token())
    assert identity == Identity("alice@example.com", frozenset({Role.OPERATOR}))


@pytest.mark.parametrize(
    "claims",
    [
        {"kid": "k2"},
        {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)},
        {"aud": "grafana"},
        {"exp": 1},
    ],
    ids=["unknown key id", "another key", "another audience", "expired"],
)
async def test_a_provider_s_token_that_does_not_hold_up_is_refused(
    provider: Provider, verifier: TokenVerifier, claims: dict[str, Any]
) -> None:
    with pytest.raises(NotAuthenticated):
        await verifier.verify(provider.token(**claims))


async def test_a_token_of_an_issuer_nobody_configured_is_refused(
    provider: Provider, verifier: TokenVerifier
) -> None:
    with pytest.raises(NotAuthenticated):
        await verifier.verify(provider.token(iss="https://accounts.example.org"))
