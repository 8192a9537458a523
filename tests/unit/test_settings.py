"""Settings from the environment: what is honoured, and what is refused with the variable's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.auth.verifier import oidc_trust
from adapters.nats.security import external_security
from adapters.settings import Settings, SettingsError, async_database_url, redacted


def test_libpq_sslmode_is_honoured_as_asyncpg_s_ssl() -> None:
    assert (
        async_database_url("postgres://phoenix:pw@db:5432/phoenix?sslmode=verify-full")
        == "postgresql+asyncpg://phoenix:pw@db:5432/phoenix?ssl=verify-full"
    )
    assert (
        async_database_url("postgresql://u@/db?host=/run/pg")
        == "postgresql+asyncpg://u@/db?host=/run/pg"
    )


def test_a_url_is_shown_without_its_password() -> None:
    assert redacted("nats://phoenix:s3cret@127.0.0.1:4222") == "nats://phoenix:***@127.0.0.1:4222"
    assert redacted("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222"


def test_security_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOENIX_OIDC_JWKS_URL", "https://idp.example/keys")
    monkeypatch.setenv("PHOENIX_METRICS_PUBLIC", "false")
    monkeypatch.setenv("PHOENIX_COMMAND_RATE_LIMIT", "5/minute")
    settings = Settings.from_env()
    assert settings.oidc_jwks_url == "https://idp.example/keys"
    assert settings.metrics_public is False
    assert settings.command_rate_limit == "5/minute"


def test_a_flag_that_is_not_one_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOENIX_METRICS_PUBLIC", "maybe")
    with pytest.raises(SettingsError, match="PHOENIX_METRICS_PUBLIC"):
        Settings.from_env()


def test_an_external_nats_over_tls_needs_both_halves_of_a_client_certificate(
    tmp_path: Path,
) -> None:
    settings = Settings(nats_url="tls://nats.example:4222", nats_cert=tmp_path / "client.crt")
    with pytest.raises(SettingsError, match="PHOENIX_NATS_KEY"):
        external_security(settings)
    with pytest.raises(SettingsError, match="PHOENIX_NATS_CREDS"):
        external_security(Settings(nats_url="nats://x:4222", nats_creds=tmp_path / "missing"))
    assert external_security(Settings(nats_url="nats://x:4222")) is None
    secured = external_security(Settings(nats_url="tls://nats.example:4222"))
    assert secured is not None and secured.ssl_context is not None


def test_a_url_whose_user_is_a_token_is_shown_without_it() -> None:
    assert (
        redacted("https://ghp_abc123@github.com/ops/config.git")
        == "https://***@github.com/ops/config.git"
    )


def test_a_jwks_url_in_plain_http_is_refused_unless_it_is_truly_on_loopback() -> None:
    for url in ("http://localhost.evil.example/keys", "http://idp.example/keys"):
        settings = Settings(oidc_jwks_url=url, oidc_issuer="https://idp", oidc_audience="p")
        with pytest.raises(SettingsError, match="https"):
            oidc_trust(settings)
    local = Settings(oidc_jwks_url="http://localhost:5556/keys", oidc_issuer="i", oidc_audience="a")
    assert oidc_trust(local) is not None
