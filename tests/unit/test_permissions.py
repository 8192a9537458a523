"""Who may send what: the role each command needs, and what each role holds."""

from __future__ import annotations

import pytest

from domain.catalog import COMMAND_TYPES
from domain.identity import Forbidden, Identity, Role, authorize, roles_from

PEOPLES_COMMANDS = {
    "CreateExperiment",
    "StartExperiment",
    "CancelExperiment",
    "PromoteVariant",
    "RegisterPipeline",
    "RevisePipeline",
    "DeprecatePipeline",
}


def who(*roles: Role) -> Identity:
    return Identity("someone", frozenset(roles))


def may(identity: Identity, command: str) -> bool:
    model, _ = COMMAND_TYPES[command]
    try:
        authorize(identity, command, model.sent_by)
    except Forbidden:
        return False
    return True


def test_people_send_their_commands_and_every_other_is_the_service_s_alone() -> None:
    people = {
        name for name, (model, _) in COMMAND_TYPES.items() if model.sent_by is not Role.SERVICE
    }
    assert people == PEOPLES_COMMANDS
    assert all(COMMAND_TYPES[name][0].sent_by is Role.OPERATOR for name in PEOPLES_COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMAND_TYPES))
@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ((), set()),
        ((Role.VIEWER,), set()),
        ((Role.OPERATOR,), PEOPLES_COMMANDS),
        ((Role.ADMIN,), PEOPLES_COMMANDS),
        ((Role.SERVICE,), set(COMMAND_TYPES) - PEOPLES_COMMANDS),
    ],
    ids=["no role", "viewer", "operator", "admin", "service"],
)
def test_the_permission_matrix(roles: tuple[Role, ...], allowed: set[str], command: str) -> None:
    assert may(who(*roles), command) is (command in allowed)


def test_a_higher_role_holds_the_lower_ones_but_none_holds_the_service_s() -> None:
    admin = who(Role.ADMIN)
    assert admin.has(Role.VIEWER) and admin.has(Role.OPERATOR) and admin.has(Role.ADMIN)
    assert not admin.has(Role.SERVICE)
    assert who(Role.OPERATOR).role_names == ("operator", "viewer")
    assert not who(Role.SERVICE).has(Role.VIEWER)


def test_a_refusal_says_which_role_is_missing_and_what_the_sender_holds() -> None:
    with pytest.raises(
        Forbidden, match="CreateExperiment needs the operator role; someone has viewer"
    ):
        authorize(who(Role.VIEWER), "CreateExperiment", Role.OPERATOR)
    with pytest.raises(Forbidden, match="sent only by Phoenix's own handlers"):
        authorize(who(Role.ADMIN), "RecordAnalysis", Role.SERVICE)


def test_roles_are_read_from_a_list_or_a_string_and_unknown_ones_are_ignored() -> None:
    assert roles_from(["operator", "phoenix-admins", 3]) == {Role.OPERATOR}
    assert roles_from("viewer admin") == {Role.VIEWER, Role.ADMIN}
    assert roles_from(None) == frozenset()
