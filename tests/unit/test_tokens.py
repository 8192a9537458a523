"""Tokens: what the verifier trusts, what it refuses, and the keys and files behind them."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from adapters.auth.local_key import KEY_FILE, LocalKey
from adapters.auth.secret_files import read_secret
from adapters.auth.service_identity import ServiceTokens
from adapters.auth.tokens import AUDIENCE, LOCAL_ISSUER, parse_ttl
from adapters.auth.verifier import TokenVerifier, oidc_trust
from adapters.settings import Settings, SettingsError
from domain.identity import Identity, Role
from handlers.ports import NotAuthenticated
from tests.identities import KEY, VERIFIER, token

NOW = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)  # any date: nothing here reads the wall clock


async def test_a_token_signed_by_the_local_key_gives_its_subject_and_roles() -> None:
    signed = token("alice", Role.OPERATOR, now=NOW)
    assert await VERIFIER.verify(signed, at=NOW + timedelta(minutes=5)) == Identity(
        "alice", frozenset({Role.OPERATOR})
    )


def claims(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "iss": LOCAL_ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "roles": ["admin"],
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
    }
    return base | overrides


def signed_with(key: LocalKey, **overrides: object) -> str:
    return jwt.encode(claims(**overrides), key.private, algorithm="EdDSA")


@pytest.mark.parametrize(
    ("name", "make", "at"),
    [
        ("expired", lambda: token("alice", Role.ADMIN, now=NOW, ttl=timedelta(hours=1)), NOW + timedelta(hours=2)),
        ("not yet valid", lambda: signed_with(KEY, nbf=int((NOW + timedelta(hours=1)).timestamp())), NOW),
        ("another key", lambda: token("alice", Role.ADMIN, now=NOW, key=LocalKey.generate()), NOW),
        ("another issuer", lambda: signed_with(KEY, iss="https://elsewhere"), NOW),
        ("another audience", lambda: signed_with(KEY, aud="grafana"), NOW),
        ("no expiry", lambda: jwt.encode({k: v for k, v in claims().items() if k != "exp"}, KEY.private, algorithm="EdDSA"), NOW),
        ("unsigned (alg none)", lambda: jwt.encode(claims(), "", algorithm="none"), NOW),
        ("a shared secret", lambda: jwt.encode(claims(), "secret" * 8, algorithm="HS256"), NOW),
        ("not a token", lambda: "hello.there.friend", NOW),
        ("empty", lambda: "", NOW),
        ("huge", lambda: "a" * 20_000, NOW),
    ],
)  # fmt: skip
async def test_an_untrustworthy_token_is_refused_without_saying_why(
    name: str, make: object, at: datetime
) -> None:
    assert callable(make)
    with pytest.raises(NotAuthenticated) as refused:
        await VERIFIER.verify(make(), at=at)
    assert str(refused.value) == NotAuthenticated.PUBLIC  # the reason is for the log only
    assert refused.value.reason


async def test_expiry_is_judged_when_the_bus_took_the_command_not_when_it_is_handled() -> None:
    signed = token("alice", Role.OPERATOR, now=NOW, ttl=timedelta(minutes=10))
    taken_in_time = NOW + timedelta(minutes=9)
    assert (await VERIFIER.verify(signed, at=taken_in_time)).subject == "alice"


def test_the_local_key_is_created_owner_only_and_the_same_key_is_loaded_again(
    tmp_path: Path,
) -> None:
    first = LocalKey.load_or_create(tmp_path)
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert LocalKey.load_or_create(tmp_path).kid == first.kid
    assert "PRIVATE" not in repr(first) and first.kid in repr(first)


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    LocalKey.load_or_create(tmp_path)
    os.chmod(tmp_path / KEY_FILE, 0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        read_secret(tmp_path / KEY_FILE)


def test_a_service_token_is_reused_until_shortly_before_it_expires() -> None:
    clock = [NOW]
    tokens = ServiceTokens(KEY, now=lambda: clock[0])
    first = tokens.token("reactor:analysis")
    clock[0] += timedelta(minutes=5)
    assert tokens.token("reactor:analysis") == first
    clock[0] += timedelta(minutes=4)
    assert tokens.token("reactor:analysis") != first
    assert tokens.token("scheduler:lifecycle") != tokens.token("reactor:analysis")


async def test_a_service_token_names_its_component_and_holds_only_the_service_role() -> None:
    identity = await VERIFIER.verify(ServiceTokens(KEY).token("reactor:promotion"))
    assert identity == Identity("reactor:promotion", frozenset({Role.SERVICE}))


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("8h", 28800), ("7d", 604800), ("90", 90)]
)
def test_a_lifetime_reads_as_minutes_hours_days_or_seconds(text: str, seconds: int) -> None:
    assert parse_ttl(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["forever", "0s", "-1h", "400d"])
def test_a_lifetime_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|between"):
        parse_ttl(text)


def test_an_oidc_provider_needs_its_url_issuer_and_audience_together() -> None:
    with pytest.raises(SettingsError, match="PHOENIX_OIDC_AUDIENCE"):
        oidc_trust(Settings(oidc_jwks_url="https://idp/keys", oidc_issuer="https://idp"))
    with pytest.raises(SettingsError, match="https"):
        oidc_trust(
            Settings(oidc_jwks_url="http://idp/keys", oidc_issuer="https://idp", oidc_audience="p")
        )
    assert oidc_trust(Settings()) is None


def test_a_verifier_without_a_provider_trusts_only_the_local_key() -> None:
    assert TokenVerifier(KEY).oidc is None


@pytest.mark.parametrize("subject", ["reactor:analysis", "scheduler:lifecycle", "unauthenticated"])
def test_no_person_s_token_may_carry_a_subject_of_phoenix_s_own(subject: str) -> None:
    with pytest.raises(ValueError, match="Phoenix's own"):
        token(subject, Role.ADMIN)


async def test_a_token_whose_subject_and_roles_do_not_go_together_is_refused() -> None:
    forged = signed_with(KEY, sub="reactor:analysis", roles=["admin"])
    with pytest.raises(NotAuthenticated):
        await VERIFIER.verify(forged, at=NOW)
    with pytest.raises(NotAuthenticated):
        await VERIFIER.verify(signed_with(KEY, sub="alice", roles=["service"]), at=NOW)


async def test_a_token_verified_before_is_still_refused_once_it_has_expired() -> None:
    verifier = TokenVerifier(KEY)
    signed = token("alice", Role.OPERATOR, now=NOW, ttl=timedelta(minutes=10))
    assert (await verifier.verify(signed, at=NOW)).subject == "alice"
    with pytest.raises(NotAuthenticated):
        await verifier.verify(signed, at=NOW + timedelta(hours=1))
