"""The signing key Phoenix keeps in its data dir: it signs local tokens and its own service's."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from adapters.auth.secret_files import read_secret, write_secret

KEY_FILE = Path("auth") / "signing-key.pem"


@dataclass(frozen=True, repr=False)
class LocalKey:
    """An Ed25519 key pair; ``kid`` names its public half in a token's header."""

    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def kid(self) -> str:
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return hashlib.sha256(raw).hexdigest()[:16]

    def derive(self, purpose: str) -> bytes:
        """A secret of 32 bytes for ``purpose``, derived from the key (HMAC-SHA256): stable for
        as long as the key is, unknowable without it.
        """
        raw = self.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return hmac.new(raw, purpose.encode(), hashlib.sha256).digest()

    def __repr__(self) -> str:  # never the key itself in a log or a traceback
        return f"LocalKey(kid={self.kid})"

    @classmethod
    def generate(cls) -> LocalKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, data_dir: Path) -> LocalKey:
        """The data dir's key, created (mode 0600) on first use."""
        path = data_dir / KEY_FILE
        if not path.exists():
            key = cls.generate()
            pem = key.private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            write_secret(path, pem)
            return key
        return cls.from_pem(read_secret(path), str(path))

    @classmethod
    def from_pem(cls, pem: bytes, source: str = "PHOENIX_SIGNING_KEY") -> LocalKey:
        """A key given as PEM (PKCS#8), as replicas of one Phoenix share it from a Secret."""
        try:
            loaded = serialization.load_pem_private_key(pem, password=None)
        except ValueError as exc:
            raise ValueError(f"{source} is not a PEM private key: {exc}") from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{source} is not an Ed25519 private key")
        return cls(loaded)

    @classmethod
    def of(cls, data_dir: Path, pem: str | None) -> LocalKey:
        """The shared key if one is given (every replica must sign and derive ids alike), else
        the data dir's own.
        """
        return cls.from_pem(pem.encode()) if pem else cls.load_or_create(data_dir)
