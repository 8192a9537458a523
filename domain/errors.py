"""Domain errors: why a command cannot be accepted."""


class DomainError(Exception):
    """A command was refused by the domain; the message is meant for the sender."""


class IllegalCommand(DomainError):
    """The command is not allowed in the aggregate's current state."""

    def __init__(
        self, command: str, state: str, detail: str = "", *, of: str = "the experiment"
    ) -> None:
        self.command = command
        self.state = state
        message = f"{command} is not allowed when {of} is {state}"
        super().__init__(f"{message}: {detail}" if detail else message)


class AggregateNotFound(DomainError):
    """The command addresses an aggregate that does not exist."""

    def __init__(self, stream_id: str, command: str) -> None:
        super().__init__(f"{command} addresses {stream_id}, which does not exist")


class AggregateAlreadyExists(DomainError):
    """A creating command addresses an aggregate that already exists."""

    def __init__(self, stream_id: str, command: str) -> None:
        super().__init__(f"{command} cannot create {stream_id}: it already exists")


class UnknownMessageType(DomainError):
    """No command or event of that type is known."""

    def __init__(self, kind: str, type_name: str, known: list[str]) -> None:
        super().__init__(f"unknown {kind} type {type_name!r}; known: {', '.join(sorted(known))}")
