"""Local tokens: JWTs Phoenix signs with the key in its data dir (people's and its own)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

import jwt

from adapters.auth.local_key import LocalKey
from domain.identity import RESERVED_SUBJECTS, SERVICE_SUBJECTS, Role, is_service_subject

LOCAL_ISSUER = "phoenix-local"
AUDIENCE = "phoenix"
ALGORITHM = "EdDSA"
MAX_TTL = timedelta(days=366)


def parse_ttl(text: str) -> timedelta:
    """``30m``, ``8h``, ``7d`` or seconds; at most a year."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if not match:
        raise ValueError(f"{text!r} is not a duration: use e.g. 30m, 8h or 7d")
    amount, unit = int(match[1]), match[2] or "s"
    ttl = timedelta(seconds=amount * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit])
    if not timedelta(0) < ttl <= MAX_TTL:
        raise ValueError(f"a token lives between a second and {MAX_TTL.days} days, not {text!r}")
    return ttl


def issue(
    key: LocalKey, subject: str, roles: Iterable[Role], *, ttl: timedelta, now: datetime
) -> str:
    """A signed token for ``subject`` with ``roles``, valid from ``now`` for ``ttl``."""
    roles = list(roles)
    if not subject or len(subject) > 200:
        raise ValueError("a subject is 1 to 200 characters")
    if is_service_subject(subject) != (Role.SERVICE in roles):
        raise ValueError(
            f"{subject!r}: subjects starting with {', '.join(SERVICE_SUBJECTS)} (or "
            f"{', '.join(RESERVED_SUBJECTS)}) are Phoenix's own, and only they hold the service role"
        )
    claims = {
        "iss": LOCAL_ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "roles": sorted(r.value for r in roles),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})
