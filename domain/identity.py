"""Who sends a command, and what each role may ask for: the permission model, without crypto."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import DomainError


class Role(StrEnum):
    """People's roles rise in order (each may do what the one before may); ``service`` is apart:
    it is Phoenix's own handlers, and no person's role includes it.
    """

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"
    SERVICE = "service"


PEOPLE_ROLES = (Role.VIEWER, Role.OPERATOR, Role.ADMIN)


SERVICE_SUBJECTS = ("reactor:", "scheduler:", "redrive:", "operator:")  # Phoenix's own components
RESERVED_SUBJECTS = ("unauthenticated", "system", "anonymous")  # actors of no one's token


def is_service_subject(subject: str) -> bool:
    """A subject only Phoenix's service tokens carry: no person's may look like one, or the audit
    trail could be made to say a handler did what a person did.
    """
    return subject.startswith(SERVICE_SUBJECTS) or subject in RESERVED_SUBJECTS


@dataclass(frozen=True)
class Identity:
    """An authenticated subject (a person, a program, or one of Phoenix's own handlers)."""

    subject: str
    roles: frozenset[Role]

    def has(self, needed: Role) -> bool:
        if needed is Role.SERVICE:
            return Role.SERVICE in self.roles
        rank = PEOPLE_ROLES.index(needed)
        return any(r in self.roles for r in PEOPLE_ROLES[rank:])

    @property
    def role_names(self) -> tuple[str, ...]:
        """Every role this identity holds, those implied by a higher one included, sorted."""
        return tuple(sorted(r.value for r in Role if self.has(r)))


def roles_from(names: object) -> frozenset[Role]:
    """The known roles among a token's claim (a list or a space-separated string); others are
    ignored, so an identity provider's own roles do no harm.
    """
    if isinstance(names, str):
        names = names.split()
    if not isinstance(names, list | tuple):
        return frozenset()
    known = {r.value: r for r in Role}
    return frozenset(known[n] for n in names if isinstance(n, str) and n in known)


class Forbidden(DomainError):
    """The sender is authenticated but may not send this command."""

    def __init__(self, identity: Identity, command: str, needed: Role) -> None:
        self.needed = needed
        if needed is Role.SERVICE:
            why = f"{command} is sent only by Phoenix's own handlers (the service identity)"
        else:
            held = ", ".join(identity.role_names) or "no role"
            why = f"{command} needs the {needed.value} role; {identity.subject} has {held}"
        self.why = why
        super().__init__(f"forbidden: {why}")


def authorize(identity: Identity, command: str, needed: Role) -> None:
    """Raise Forbidden unless the identity holds the role the command needs."""
    if not identity.has(needed):
        raise Forbidden(identity, command, needed)
