"""How Phoenix authenticates to an external NATS: a credentials file, TLS, or the URL's user."""

from __future__ import annotations

import ssl

from faststream.nats import NatsCredentials, NatsSecurity

from adapters.settings import Settings, SettingsError


def external_security(settings: Settings) -> NatsSecurity | None:
    """Security for PHOENIX_NATS_URL: ``PHOENIX_NATS_CREDS`` (a NATS user credentials file, for
    operator/account deployments) and TLS from ``PHOENIX_NATS_CA`` (plus ``PHOENIX_NATS_CERT``
    and ``PHOENIX_NATS_KEY`` when the server asks for a client certificate). A user and password
    in the URL itself (``nats://user:pass@host:4222``) are passed on by the client as they are.
    """
    context = None
    if settings.nats_ca is not None or (
        settings.nats_url and settings.nats_url.startswith("tls://")
    ):
        context = ssl.create_default_context(
            cafile=str(settings.nats_ca) if settings.nats_ca else None
        )
        if (settings.nats_cert is None) != (settings.nats_key is None):
            raise SettingsError("set both PHOENIX_NATS_CERT and PHOENIX_NATS_KEY, or neither")
        if settings.nats_cert is not None and settings.nats_key is not None:
            context.load_cert_chain(str(settings.nats_cert), str(settings.nats_key))
    if settings.nats_creds is not None:
        if not settings.nats_creds.is_file():
            raise SettingsError(f"PHOENIX_NATS_CREDS: {settings.nats_creds} is not a file")
        return NatsCredentials.from_file(settings.nats_creds, ssl_context=context)
    if context is not None:
        return NatsSecurity(ssl_context=context, use_ssl=True)
    return None
