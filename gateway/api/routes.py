"""The /api/v1 routes: experiments, the audit trail, the global log, and commands."""

from __future__ import annotations

import json
from typing import Annotated, Any, cast
from uuid import UUID, uuid4

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter, RawBody
from nats.errors import Error as NatsError
from pydantic import ValidationError

from domain.bounds import MAX_MESSAGE_DEPTH, depth
from domain.catalog import command_type
from domain.errors import UnknownMessageType
from domain.experiment.phase import Phase
from domain.identity import Forbidden, Identity, authorize
from domain.ids import experiment_stream
from domain.messages import CommandEnvelope
from gateway.api.dependencies import ApiDeps
from gateway.api.openapi_docs import CommandOperation
from gateway.api.problems import Problem
from gateway.api.views import AuditPage, ExperimentPage, ExperimentView

Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=2**62)]
Version = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
Deps = NamedDependency[ApiDeps]


@get("/experiments")
async def list_experiments(
    deps: Deps, phase: FromQuery[Phase | None] = None, limit: Limit = 50, offset: Offset = 0
) -> ExperimentPage:
    """Experiments, newest first; filter by phase."""
    items, total = await deps.read.list_experiments(
        phase=phase.value if phase else None, limit=limit, offset=offset
    )
    page = {"items": items, "total": total, "limit": limit, "offset": offset}
    return cast(ExperimentPage, page)


@get("/experiments/{experiment_id:str}")
async def get_experiment(deps: Deps, experiment_id: FromPath[UUID]) -> ExperimentView:
    """One experiment with its spec, phase, and history of phase changes."""
    found = await deps.read.get_experiment(experiment_id)
    if found is None:
        raise Problem(404, f"no experiment {experiment_id}")
    return cast(ExperimentView, found)


@get("/experiments/{experiment_id:str}/events")
async def experiment_events(
    deps: Deps, experiment_id: FromPath[UUID], after_version: Version = 0, limit: Limit = 1000
) -> AuditPage:
    """The audit trail: every event of the experiment with actor, causation and correlation."""
    if await deps.read.get_experiment(experiment_id) is None:
        raise Problem(404, f"no experiment {experiment_id}")
    items = await deps.read.stream_audit(
        experiment_stream(experiment_id), after_version=after_version, limit=limit
    )
    return cast(AuditPage, {"stream_id": experiment_stream(experiment_id), "items": items})


@get("/events")
async def global_log(deps: Deps, after: Offset = 0, limit: Limit = 100) -> dict[str, Any]:
    """The global log, in position order, after a position."""
    events = await deps.store.read_all(after_position=after, limit=limit)
    items = [e.model_dump(mode="json") for e in events]
    following = events[-1].position if events else after
    return {
        "items": items,
        "after": after,
        "next": f"/api/v1/events?after={following}&limit={limit}",
    }


@get("/commands/{command_id:str}")
async def command_status(deps: Deps, command_id: FromPath[UUID]) -> dict[str, Any]:
    """A command's outcome: accepted, rejected (with the reason), or pending."""
    found = await deps.read.command_outcome(command_id)
    if found is None:
        return {"command_id": command_id, "status": "pending"}
    return {"status": found.pop("outcome"), **found}


@post("/commands", status_code=202, operation_class=CommandOperation)
async def send_command(
    deps: Deps, body: RawBody, request: Request[Identity, str, Any]
) -> Response[dict[str, Any]]:
    """Validate a command envelope against the command schemas and publish it to the bus, with
    the caller's token: the command worker verifies it again and decides as that identity (what
    ``metadata.actor`` and ``metadata.roles`` claim is ignored).

    The command id (yours, or one assigned here) comes back on every answer, errors included:
    sending the same envelope again with that id is always safe (the bus drops duplicates for
    ten minutes and the store records each command id's outcome once, forever).
    """
    try:
        raw = json.loads(body or b"null")
    except ValueError as exc:
        raise Problem(400, f"the body is not JSON: {exc}") from exc
    except RecursionError:
        raise Problem(400, "the body is nested too deeply") from None
    if depth(raw) > MAX_MESSAGE_DEPTH:
        raise Problem(400, f"the body nests deeper than {MAX_MESSAGE_DEPTH} levels")
    if not isinstance(raw, dict):
        raise Problem(422, "the body must be a JSON object: {type, data, command_id?, metadata?}")
    raw.setdefault("command_id", str(uuid4()))
    ids = {"command_id": raw["command_id"]} if _is_uuid(raw["command_id"]) else {}
    try:
        envelope = CommandEnvelope.model_validate(raw)
        model, _ = command_type(envelope.type)
        authorize(request.user, envelope.type, model.sent_by)
        authorize(request.user, *model.model_validate(envelope.data).needs())
    except Forbidden as exc:
        raise Problem(403, exc.why, **ids) from exc
    except UnknownMessageType as exc:
        raise Problem(422, str(exc), **ids) from exc
    except ValidationError as exc:
        errors = [
            {"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        raise Problem(422, "the command does not match its schema", errors=errors, **ids) from exc
    try:
        ack = await deps.bus.send(envelope, token=request.auth)
    except (NatsError, TimeoutError) as exc:
        raise Problem(
            503,
            f"the bus did not confirm the command ({type(exc).__name__}); it may still be taken "
            "once the bus is back. Send it again with the same command_id: a retry is safe.",
            command_id=str(envelope.command_id),
        ) from exc
    location = f"/api/v1/commands/{envelope.command_id}"
    return Response(
        {"command_id": envelope.command_id, "status": "pending", "duplicate": ack.duplicate},
        status_code=202,
        headers={"Location": location},
    )


def _is_uuid(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True
