"""Who may connect to the embedded nats-server, and what each may publish and subscribe to.

Three users (ADR 0008): ``phoenix`` (Phoenix itself: everything, the only one that manages
streams), ``publisher`` (may publish commands only: ``phoenix.cmd.>``), and ``subscriber`` (may
read ``PHOENIX_EVENTS`` through durable pull consumers of its own, never Phoenix's, and never the
command stream, whose messages carry the senders' tokens). Nobody else may connect.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from adapters.auth.secret_files import read_secret, write_secret
from adapters.nats.streams import COMMAND_SUBJECTS, EVENTS

PHOENIX, PUBLISHER, SUBSCRIBER = "phoenix", "publisher", "subscriber"
USERS = (PHOENIX, PUBLISHER, SUBSCRIBER)
USERS_FILE = "users.json"


def inbox_prefix(user: str) -> str:
    """Where ``user``'s replies come (connect with it as ``inbox_prefix``). Each user has its own:
    Phoenix's replies on ``_INBOX.>`` carry the command worker's deliveries, tokens included, so no
    one else may subscribe there.
    """
    return f"_INBOX_{user}"


@dataclass(frozen=True, repr=False)
class NatsUsers:
    """Each user's password, kept in the data dir (mode 0600) across restarts."""

    passwords: dict[str, str]

    def __repr__(self) -> str:
        return f"NatsUsers({', '.join(self.passwords)})"

    @classmethod
    def load_or_create(cls, directory: Path) -> NatsUsers:
        path = directory / USERS_FILE
        if path.exists():
            stored = json.loads(read_secret(path))
            if set(stored) >= set(USERS):
                return cls({u: stored[u] for u in USERS})
        users = cls({u: secrets.token_urlsafe(24) for u in USERS})
        write_secret(path, json.dumps(users.passwords, indent=2).encode())
        return users

    def authorization(self, protected_durables: tuple[str, ...]) -> str:
        """The nats-server ``authorization`` block; ``protected_durables`` are Phoenix's own
        consumers of PHOENIX_EVENTS, which a subscriber may neither read from nor change.
        """
        api = "$JS.API.CONSUMER"
        subscriber_may = [
            "$JS.API.INFO",
            f"$JS.API.STREAM.INFO.{EVENTS}",
            # Named in the subject only: the bare create subject carries the name in its body,
            # where the deny list below cannot see it (a subscriber could take a reactor's name).
            f"{api}.CREATE.{EVENTS}.>",
            f"{api}.DURABLE.CREATE.{EVENTS}.*",
            f"{api}.INFO.{EVENTS}.*",
            f"{api}.DELETE.{EVENTS}.*",
            f"{api}.MSG.NEXT.{EVENTS}.*",
            f"$JS.ACK.{EVENTS}.>",
        ]
        not_phoenix_own = [
            subject
            for durable in protected_durables
            for subject in (
                f"{api}.*.{EVENTS}.{durable}",
                f"{api}.CREATE.{EVENTS}.{durable}.>",
                f"{api}.DURABLE.CREATE.{EVENTS}.{durable}",
                f"{api}.MSG.NEXT.{EVENTS}.{durable}",
                f"$JS.ACK.{EVENTS}.{durable}.>",
            )
        ]
        users = [
            {"user": PHOENIX, "password": self.passwords[PHOENIX]},
            {
                "user": PUBLISHER,
                "password": self.passwords[PUBLISHER],
                "permissions": {
                    "publish": {"allow": [COMMAND_SUBJECTS]},
                    "subscribe": {"allow": [f"{inbox_prefix(PUBLISHER)}.>"]},  # publish acks
                },
            },
            {
                "user": SUBSCRIBER,
                "password": self.passwords[SUBSCRIBER],
                "permissions": {
                    "publish": {"allow": subscriber_may, "deny": not_phoenix_own},
                    "subscribe": {"allow": [f"{inbox_prefix(SUBSCRIBER)}.>"]},
                },
            },
        ]
        # The server's config format reads JSON.
        return "authorization " + json.dumps({"users": users}, indent=2) + "\n"
