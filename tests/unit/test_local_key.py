"""Phoenix's signing key: its data dir's own, or one shared by every replica."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from adapters.auth.local_key import LocalKey


def test_replicas_given_one_key_sign_and_derive_alike_whatever_their_data_dirs(
    tmp_path: Path,
) -> None:
    pem = LocalKey.generate().private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    first = LocalKey.of(tmp_path / "a", pem.decode())
    second = LocalKey.of(tmp_path / "b", pem.decode())

    assert first.kid == second.kid
    assert first.derive("service-command-ids") == second.derive("service-command-ids")
    assert not (tmp_path / "a").exists()  # the shared key is not written anywhere


def test_a_shared_key_that_is_not_an_ed25519_pem_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PHOENIX_SIGNING_KEY is not a PEM private key"):
        LocalKey.of(tmp_path, "not a key")
