"""The /api/v1 routes about the caller, any stream's history, and dead letters (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromQuery, PathParameter, QueryParameter

from adapters.dead_letter_redrive import needed_role, redrive
from adapters.nats.consumer import VERIFIED_SENDER, DeadLetter, kept_headers
from domain.identity import Identity, Role, is_service_subject
from gateway.api.auth import requires
from gateway.api.problems import Problem
from gateway.api.routes import Deps
from gateway.api.views import Caller

StreamId = Annotated[
    str, PathParameter(min_length=3, max_length=300, description="e.g. experiment-<uuid>")
]
LetterId = Annotated[int, PathParameter(ge=1, le=2**62)]
AfterVersion = Annotated[int, QueryParameter(ge=0, le=2**31 - 2)]  # versions are int4


@get("/whoami")
async def whoami(request: Request[Identity, str, Any]) -> Caller:
    """The caller as Phoenix sees them: the token's subject and the roles it grants."""
    return {"subject": request.user.subject, "roles": list(request.user.role_names)}


@get("/streams/{stream_id:str}/events")
async def stream_events(
    deps: Deps, stream_id: StreamId, after_version: AfterVersion = 0
) -> dict[str, Any]:
    """One stream's history from the store, in version order: the replay an audit reads."""
    if "\x00" in stream_id:  # no stream id holds one (PostgreSQL text cannot)
        raise Problem(404, "no stream by that id")
    events = await deps.store.read_stream(stream_id, from_version=after_version + 1)
    if not events and after_version == 0:
        raise Problem(404, f"no stream {stream_id!r}")
    return {"stream_id": stream_id, "items": [e.model_dump(mode="json") for e in events]}


def _letter(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "consumer": letter.consumer,
        "subject": letter.subject,
        "message_id": letter.message_id,
        "headers": kept_headers(letter.headers),  # never a token, even in a row from elsewhere
        "verified_sender": letter.headers.get(VERIFIED_SENDER),
        "error": letter.error,
        "deliveries": letter.deliveries,
        "recorded_at": letter.recorded_at.isoformat(),
        "redriven_at": letter.redriven_at.isoformat() if letter.redriven_at else None,
    }


@get("/deadletters", guards=[requires(Role.ADMIN)])
async def list_dead_letters(
    deps: Deps, include_redriven: FromQuery[bool] = False
) -> dict[str, Any]:
    """Messages consumers gave up on, with the error (admins)."""
    letters = await deps.dead_letters.list(include_redriven=include_redriven)
    return {"items": [_letter(x) for x in letters]}


@post("/deadletters/{dead_letter_id:int}/redrive", status_code=200, guards=[requires(Role.ADMIN)])
async def redrive_dead_letter(
    deps: Deps, dead_letter_id: LetterId, request: Request[Identity, str, Any]
) -> dict[str, Any]:
    """Send a dead letter back to its subject to be tried again (admins); once. A command goes
    with the admin's token; one only Phoenix's handlers send, and that a handler did send (its
    token verified as theirs when it was set aside), goes with a service token whose subject
    names the admin (``redrive:<admin>``). Anyone else's goes as the admin's, and is refused.
    """
    admin = request.user.subject

    def token_for(letter: DeadLetter) -> str | None:
        sender = letter.headers.get(VERIFIED_SENDER)
        if (
            needed_role(letter) is Role.SERVICE
            and sender is not None
            and is_service_subject(sender)
            and deps.service is not None
        ):
            return deps.service.token(f"redrive:{admin}")
        return request.auth

    if not await redrive(
        deps.dead_letters, deps.bus, dead_letter_id, actor=admin, token_for=token_for
    ):
        raise Problem(404, f"dead letter {dead_letter_id} does not exist or was re-driven already")
    return {"id": dead_letter_id, "redriven_by": admin}
